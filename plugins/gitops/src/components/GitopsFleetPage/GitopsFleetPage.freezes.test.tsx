import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FREEZE_UNTIL, yearEndFreeze } from '../../__fixtures__/guestbook';
import { renderFleet } from '../../__testUtils__/renderFleet';
import { responseError } from '../../__testUtils__/responseError';
import { localTime } from '../Policy/policyFormat';

const sentence = `prod is frozen until ${localTime(
  FREEZE_UNTIL,
)}: year-end freeze, set by user:default/alice`;

describe('GitopsFleetPage: freezes', () => {
  it('shows the freezes in force', async () => {
    await renderFleet();
    const banner = await screen.findByRole('status', { name: 'Freeze' });
    expect(banner).toHaveTextContent(sentence);
  });

  it('shows no banner without a freeze, and still offers to declare one', async () => {
    const api = await renderFleet(undefined, []);
    await waitFor(() => expect(api.getFreezes).toHaveBeenCalled());
    expect(
      screen.queryByRole('status', { name: 'Freeze' }),
    ).not.toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Declare a freeze' }),
    ).toBeInTheDocument();
  });

  it('declares a freeze of some environments until a local time', async () => {
    const api = await renderFleet(undefined, []);
    api.createFreeze.mockResolvedValue(yearEndFreeze);
    const declare = await screen.findByRole('button', {
      name: 'Declare a freeze',
    });
    await waitFor(() => expect(declare).toBeEnabled());
    await userEvent.click(declare);
    const dialog = within(await screen.findByRole('dialog'));
    const submit = dialog.getByRole('button', { name: 'Declare freeze' });
    expect(submit).toBeDisabled();

    await userEvent.type(
      dialog.getByRole('textbox', { name: /Environments/ }),
      'prod, staging',
    );
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'year-end freeze',
    );
    // A time in the past is no freeze.
    fireEvent.change(dialog.getByLabelText(/Until/), {
      target: { value: '2020-01-01T09:00' },
    });
    expect(submit).toBeDisabled();
    fireEvent.change(dialog.getByLabelText(/Until/), {
      target: { value: '2099-12-28T09:00' },
    });
    expect(submit).toBeEnabled();
    await userEvent.click(submit);

    expect(api.createFreeze).toHaveBeenCalledWith({
      environments: ['prod', 'staging'],
      reason: 'year-end freeze',
      until: new Date('2099-12-28T09:00').toISOString(),
    });
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    await waitFor(() => expect(api.getFreezes).toHaveBeenCalledTimes(2));
  });

  it('declares a freeze of every environment with *', async () => {
    const api = await renderFleet(undefined, []);
    api.createFreeze.mockRejectedValue(
      await responseError(400, {
        error: { name: 'InputError', message: 'until must be in the future' },
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Declare a freeze' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Environments/ }),
      '*',
    );
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'incident',
    );
    fireEvent.change(dialog.getByLabelText(/Until/), {
      target: { value: '2099-01-01T00:00' },
    });
    await userEvent.click(
      dialog.getByRole('button', { name: 'Declare freeze' }),
    );
    expect(api.createFreeze).toHaveBeenCalledWith(
      expect.objectContaining({ environments: '*', reason: 'incident' }),
    );
    // A refusal stays in the dialog, in the backend's words.
    expect(await dialog.findByRole('alert')).toHaveTextContent(
      'until must be in the future',
    );
  });

  it('lifts a freeze after a confirmation', async () => {
    const api = await renderFleet();
    const banner = await screen.findByRole('status', { name: 'Freeze' });
    const lift = within(banner).getByRole('button', {
      name: 'Lift the freeze: year-end freeze',
    });
    await waitFor(() => expect(lift).toBeEnabled());
    await userEvent.click(lift);
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText(sentence)).toBeInTheDocument();
    expect(api.deleteFreeze).not.toHaveBeenCalled();

    api.getFreezes.mockResolvedValue({ items: [] });
    await userEvent.click(dialog.getByRole('button', { name: 'Lift' }));
    expect(api.deleteFreeze).toHaveBeenCalledWith('freeze-1');
    await waitFor(() =>
      expect(
        screen.queryByRole('status', { name: 'Freeze' }),
      ).not.toBeInTheDocument(),
    );
  });
});
