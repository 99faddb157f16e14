import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  fullEvidence,
  insecureEvidence,
  signatureOnly,
} from '../../__fixtures__/evidence';
import { EvidenceLine } from './EvidenceLine';

describe('EvidenceLine', () => {
  it('reads as one line of parts, each with its icon, and is a button that opens the details', async () => {
    const onOpen = jest.fn();
    await renderInTestApp(
      <EvidenceLine evidence={fullEvidence} onOpen={onOpen} />,
    );
    const line = screen.getByTestId('evidence-line');
    expect(line).toHaveTextContent(
      'signed by acme/guestbook release.yml · 0 critical, 3 high · policies 12/12 · built from acme/payments@4f3a2c1 · restricted',
    );
    expect(line.querySelectorAll('svg')).toHaveLength(5);
    expect(
      screen.getByRole('button', { name: /^signed by acme\/guestbook/ }),
    ).toBe(line);
    await userEvent.click(line);
    expect(onOpen).toHaveBeenCalledTimes(1);
    // From the keyboard too.
    line.focus();
    await userEvent.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledTimes(2);
  });

  it('marks what is wrong in the warning and error colours, the reason on hover', async () => {
    await renderInTestApp(
      <EvidenceLine evidence={insecureEvidence} onOpen={() => {}} />,
    );
    expect(screen.getByTestId('evidence-line')).toHaveTextContent(
      'unsigned · 1 critical, 2 high · policies 10/12 · baseline',
    );
    expect(screen.getByTestId('evidence-signature')).toHaveAttribute(
      'data-tone',
      'warning',
    );
    expect(screen.getByTestId('evidence-vulnerabilities')).toHaveAttribute(
      'data-tone',
      'error',
    );
    expect(screen.getByTestId('evidence-signature')).toHaveAttribute(
      'title',
      'No signature found in the registry for this digest',
    );
    // No provenance: the part is left out, not shown as "null".
    expect(screen.queryByTestId('evidence-provenance')).not.toBeInTheDocument();
  });

  it('shows an invalid signature with its reason in a tooltip', async () => {
    await renderInTestApp(
      <EvidenceLine
        evidence={signatureOnly({
          state: 'invalid',
          identity: null,
          issuer: null,
          reason: 'the payload was signed for sha256:0000…, not this digest',
        })}
        onOpen={() => {}}
      />,
    );
    const signature = screen.getByTestId('evidence-signature');
    expect(signature).toHaveTextContent('invalid signature');
    expect(signature).toHaveAttribute('data-tone', 'error');
    await userEvent.hover(signature);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'the payload was signed for sha256:0000…, not this digest',
    );
  });

  it('says it is still checking when the signature was not checked yet', async () => {
    await renderInTestApp(
      <EvidenceLine
        evidence={signatureOnly({
          state: 'unknown',
          identity: null,
          issuer: null,
          reason: 'not checked yet',
        })}
        onOpen={() => {}}
        expanded={false}
      />,
    );
    const line = screen.getByTestId('evidence-line');
    expect(line).toHaveTextContent(/^checking signature…$/);
    expect(line).toHaveAttribute('aria-expanded', 'false');
  });
});
