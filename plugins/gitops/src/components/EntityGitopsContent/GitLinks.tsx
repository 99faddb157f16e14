import { Link } from '@backstage/core-components';
import { ReactNode } from 'react';
import { commitUrl, fileUrl, shortRevision } from '../../lib';

/**
 * A commit as its short sha, linked to the Git host's commit page when the host is known;
 * plain text otherwise (a local repository, an unknown host). The full sha is the title.
 */
export function CommitLink(props: { repo: string; revision: string }) {
  const { repo, revision } = props;
  const href = commitUrl(repo, revision);
  const text = shortRevision(revision);
  return href ? (
    <Link to={href} title={revision} underline="always">
      {text}
    </Link>
  ) : (
    <span title={revision}>{text}</span>
  );
}

/**
 * A file of the repository (at the commit that was read, so the line matches), linked to the
 * Git host's page of it when the host is known; the children as plain text otherwise.
 */
export function GitFileLink(props: {
  repo: string;
  revision: string;
  path: string;
  line?: number;
  children: ReactNode;
}) {
  const { repo, revision, path, line, children } = props;
  const href = fileUrl(repo, revision, path, line);
  // Underlined: in a line of grey text, colour alone does not set a link apart.
  return href ? (
    <Link to={href} underline="always">
      {children}
    </Link>
  ) : (
    <>{children}</>
  );
}
