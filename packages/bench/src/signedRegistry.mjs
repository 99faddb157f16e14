// The fleet's image registry, for the supply-chain evidence: every tag the fleet runs, signed
// with a release key (cosign's bundle, referrers API), served from memory by the testkit in a
// child process that counts the requests it answers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ENVIRONMENTS, serviceName, tagsOf } from './generateFleet.mjs';

/** Starts the registry of a fleet of `n` services; resolves once it serves. */
export async function startSignedRegistry({ repoRoot, n, dir }) {
  fs.mkdirSync(dir, { recursive: true });
  const imagesFile = path.join(dir, 'images.json');
  const images = Array.from({ length: n }, (_, i) => ({
    repository: `acme/${serviceName(i)}`,
    tags: [...new Set(ENVIRONMENTS.map(env => tagsOf(i)[env]))],
  }));
  fs.writeFileSync(imagesFile, JSON.stringify(images));
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      path.join(
        repoRoot,
        'packages/supply-chain-testkit/src/serveSignedRegistry.ts',
      ),
      imagesFile,
      path.join(dir, 'sigstore'),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', line => waiting.shift()?.(JSON.parse(line)));
  const next = () => new Promise(resolve => waiting.push(resolve));
  const started = await Promise.race([
    next(),
    new Promise((_, reject) =>
      child.once('exit', code =>
        reject(new Error(`signed registry exited with ${code}`)),
      ),
    ),
  ]);
  return {
    ...started,
    /** Requests the registry answered so far. */
    async requests() {
      const answer = next();
      child.stdin.write('?\n');
      return (await answer).requests;
    },
    stop() {
      child.stdin.end();
      return new Promise(resolve => child.once('exit', resolve));
    },
  };
}
