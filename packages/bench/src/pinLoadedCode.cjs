// Preloaded into the backend (`backstage-cli package start --require=<this file>`): drops the
// "watch this source file" messages the CLI's transform sends to its parent, so the CLI never
// restarts the backend mid-benchmark when someone edits plugins/ meanwhile. The code measured
// is the code loaded at start. CommonJS because `node --require` loads it synchronously.
const send = process.send?.bind(process);
if (send) {
  process.send = (message, ...rest) =>
    message?.type === 'watch' ? true : send(message, ...rest);
}
