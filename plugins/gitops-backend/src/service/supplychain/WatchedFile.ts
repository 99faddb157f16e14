import fs from 'node:fs/promises';

/** A file parsed once and again whenever its modification time or size changes. */
export class WatchedFile<T> {
  private cached: { stamp: string; value: T } | null = null;

  constructor(
    private readonly path: string,
    private readonly parse: (text: string) => T,
  ) {}

  async get(): Promise<T> {
    const stat = await fs.stat(this.path);
    const stamp = `${stat.mtimeMs} ${stat.size}`;
    if (this.cached?.stamp === stamp) return this.cached.value;
    const value = this.parse(await fs.readFile(this.path, 'utf8'));
    this.cached = { stamp, value };
    return value;
  }
}
