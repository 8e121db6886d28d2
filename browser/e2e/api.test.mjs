// The page's scripting API (window.wasmux.fs and window.wasmux.run): files
// written from the page are the processes' files, and a command run from
// the page is a process with its output captured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, Shell } from './harness.mjs';

const shared = sharedBrowser();

test('the page writes files and runs commands through the kernel', async () => {
  const context = await shared.browser.newContext();
  try {
    const shell = await Shell.open(await context.newPage(), shared.server.url);
    const result = await shell.page.evaluate(async () => {
      const { fs, run } = window.wasmux;
      await fs.writeFile('/tmp/api/deep/hello.txt', 'hello from the page\n');
      await fs.writeFile('/home/user/bytes', new Uint8Array([0, 1, 2, 255]));
      return {
        cat: await run(['cat', '/tmp/api/deep/hello.txt']),
        size: await run(['wc', '-c', 'bytes']),
        cwd: await run(['pwd'], { cwd: '/tmp/api' }),
        failing: await run(['sh', '-c', 'echo out; echo err >&2; exit 3']),
        killed: await run(['sh', '-c', 'kill -TERM $$']),
        stdin: await run(['wc', '-c']),
        missing: await run(['no-such-command']).then(() => 'ran', (e) => e.message),
        relative: await fs.writeFile('relative', 'x').then(() => 'written', (e) => e.message),
      };
    });
    assert.deepEqual(result.cat, { status: 0, stdout: 'hello from the page\n', stderr: '' });
    assert.equal(result.size.stdout, '4 bytes\n');
    assert.equal(result.cwd.stdout, '/tmp/api\n');
    assert.deepEqual(result.failing, { status: 3, stdout: 'out\n', stderr: 'err\n' });
    assert.equal(result.killed.status, 128 + 15);
    // Standard input is empty, not the terminal.
    assert.deepEqual(result.stdin, { status: 0, stdout: '0\n', stderr: '' });
    assert.match(result.missing, /no-such-command/);
    assert.match(result.relative, /not an absolute path/);
    // What the page wrote is what the shell sees.
    assert.equal(await shell.run('cat /tmp/api/deep/hello.txt'), 'hello from the page');
    assert.deepEqual(shell.errors, []);
  } finally {
    await context.close();
  }
});
