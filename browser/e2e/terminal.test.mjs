// The terminal in a tab, end to end: boot, commands, signals, parallel
// processes, persistence across reloads, reset, and a second tab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  committed, launchWithProfile, observeCommits, sharedBrowser, Shell, textAppears, until,
} from './harness.mjs';

const shared = sharedBrowser();

/**
 * Runs `body` with a fresh profile (empty IndexedDB and caches) holding one
 * page at the prompt; the profile is closed after, whatever happens. Its
 * pages fire `wasmux-stored` at each commit (harness.mjs, observeCommits).
 */
async function inFreshTab(body) {
  const context = await shared.browser.newContext();
  try {
    await context.addInitScript(observeCommits);
    const shell = await Shell.open(await context.newPage(), shared.server.url);
    try {
      await body({ context, shell });
    } catch (e) {
      e.message += `\n${await shell.postmortem()}`;
      throw e;
    }
  } finally {
    await context.close();
  }
}

test('boots to a prompt and runs commands and pipelines', async () => {
  await inFreshTab(async ({ shell }) => {
    assert.equal(await shell.run('echo hello, world'), 'hello, world');
    assert.equal(await shell.run('seq 5 | sort -r | head -n 2 | tr 0-9 a-j'), 'f\ne');
    // Every /bin applet of the image, plus busybox itself.
    const manifest = JSON.parse(await readFile(join(process.env.WASMUX_SITE, 'image/manifest.json'), 'utf8'));
    const links = await readFile(join(process.env.WASMUX_SITE, 'image', manifest.links.file), 'utf8');
    const bin = new Set(links.split('\n').filter((l) => /^\/bin\/[^/]+$/.test(l)));
    bin.add('/bin/busybox');
    assert.equal(await shell.run('ls /bin | wc -l'), String(bin.size));
    assert.equal(await shell.run('false; echo $?'), '1');
    // UTF-8 both ways: typed, stored as its bytes, shown again.
    assert.equal(await shell.run('echo été > /tmp/u; cat /tmp/u; wc -c < /tmp/u'), 'été\n6');
    assert.deepEqual(shell.errors, []);
  });
});

test('the status line shows the mode, the boot and the storage', async () => {
  await inFreshTab(async ({ shell }) => {
    await textAppears(shell.page, '#status', /storage: [\d.]+ MiB of [\d.]+ MiB/, 'the storage estimate');
    const text = await shell.page.evaluate(() => document.getElementById('status').innerText);
    assert.match(text, /fast mode/);
    assert.match(text, /booted in \d+ ms/);
    assert.match(text, /network: /);
  });
});

test('Ctrl-C stops a busy foreground process', async () => {
  await inFreshTab(async ({ shell }) => {
    const before = await shell.prompt();
    // A ^C that comes before the shell has handed the terminal to the job
    // is the shell's (as on Linux): the job says when it has it.
    await shell.type('(echo "job $((1 + 1))"; yes > /dev/null)\n');
    await shell.waitForScreen('the job to start', (screen) => screen.slice(before.length).includes('\njob 2'));
    await shell.page.keyboard.press('Control+C');
    await shell.prompt();
    assert.equal(await shell.run('echo $?'), '130');
  });
});

test('two busy processes run in parallel, and kill -9 ends them', async () => {
  await inFreshTab(async ({ shell }) => {
    await shell.run('count() { i=0; while true; do i=$((i+1)); echo $i > /tmp/$1; done; }');
    await shell.run('count a & A=$!; count b & B=$!');
    const read = async () => (await shell.run('cat /tmp/a /tmp/b')).split('\n').map(Number);
    // Both counters advance while the other one (and the shell) run.
    const first = await until('both counters to start', async () => {
      const v = await read();
      return v.length === 2 && v.every((n) => n > 0) && v;
    });
    const second = await until('both counters to advance', async () => {
      const v = await read();
      return v[0] > first[0] && v[1] > first[1] && v;
    });
    assert.ok(second[0] > first[0] && second[1] > first[1]);
    // (The shell's job notices, "Killed", come around the statuses.)
    assert.match(await shell.run('kill -9 $A $B; wait $A; a=$?; wait $B; echo status $a $?'), /^status 137 137$/m);
    // Nothing counts any more.
    const stopped = await read();
    assert.deepEqual(await read(), stopped);
  });
});

test('kill -9 ends a loop without syscalls at any moment of its life, and closes its files', async () => {
  await inFreshTab(async ({ shell }) => {
    // Killed while still starting (a fork on its way to a worker, an exec
    // loading): at once, or a moment later. These delays only pick moments
    // of its start; any of them must end in status 137.
    for (const delay of ['0', '0.01', '0.05']) {
      assert.match(await shell.run(`awk 'BEGIN { while (1) ; }' & C=$!; sleep ${delay}; kill -9 $C; wait $C; echo status $?`),
        /^status 137$/m, `killed after ${delay} s`);
    }
    // Killed in its loop, where the worker is terminated. The loop says
    // when it begins: just before it, awk ends a sleeper the shell waits
    // for (and writes its own pid, its shell's parent's).
    const looping = (pid) => `sleep 600 & S=$!; rm -f /tmp/busy; ` +
      `awk -v s=$S 'BEGIN { system("${pid ? 'echo $PPID > /tmp/busy; ' : ''}kill " s); while (1) ; }'`;
    assert.match(await shell.run(`${looping(false)} & C=$!; wait $S; kill -9 $C; wait $C; echo status $?`),
      /^status 137$/m, 'killed in its loop');
    // Its end of a pipe closes with it: the reader sees the end of input.
    await shell.run(`${looping(true)} | wc -c & W=$!; wait $S`);
    // (wc's count, then the shell's notice of awk's end, then the status.)
    const ended = await shell.run('kill -9 $(cat /tmp/busy); wait $W; echo ended $?');
    assert.match(ended, /^0$/m);
    assert.match(ended, /^ended 0$/m);
    assert.equal(await shell.run('echo still here'), 'still here');
  });
});

test('files persist across a reload', async () => {
  await inFreshTab(async ({ shell }) => {
    await shell.run('echo kept > ~/note.txt && mkdir -p ~/d/e && ln -s ../note.txt ~/d/link');
    await shell.run('sync');
    await shell.page.reload();
    const again = await Shell.open(shell.page, shared.server.url);
    assert.equal(await again.run('cat ~/note.txt ~/d/link; ls -d ~/d/e'), 'kept\nkept\n/home/user/d/e');
    // Without sync: the write-back commits it by itself. Its commits are
    // the event; what one holds is read from IndexedDB.
    assert.equal(await again.run('echo later > ~/later.txt'), '');
    await committed(again.page, 'later.txt', 'later\n', 'a commit holding ~/later.txt');
    await again.page.reload();
    const third = await Shell.open(again.page, shared.server.url);
    assert.equal(await third.run('cat ~/later.txt'), 'later');
  });
});

test('the image is a read-only base layer: IndexedDB keeps only what changes', async () => {
  await inFreshTab(async ({ shell }) => {
    // The bytes of file content IndexedDB holds.
    const stored = () => shell.page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('wasmux-root');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const all = open.result.transaction('chunks').objectStore('chunks').getAll();
        all.onerror = () => reject(all.error);
        all.onsuccess = () => {
          open.result.close();
          resolve(all.result.reduce((sum, chunk) => sum + chunk.byteLength, 0));
        };
      };
    }));
    const busybox = Number(await shell.run('sync; wc -c < /bin/busybox'));
    assert.ok(busybox > 1 << 20, `busybox is ${busybox} bytes`);
    const before = await stored();
    assert.ok(before < 64 << 10, `IndexedDB holds ${before} bytes of content`);
    // What the user writes is stored; the image's bytes come back at boot.
    await shell.run('head -c 100000 /bin/busybox > ~/part; sync');
    assert.ok(await stored() >= before + 100000);
    await shell.page.reload();
    const again = await Shell.open(shell.page, shared.server.url);
    assert.equal(await again.run('cmp ~/part /bin/busybox 2>&1 | grep -c EOF; wc -c < /bin/busybox'), `1\n${busybox}`);
  });
});

test('a full disk is said once, the shell works on, and saving resumes once there is room', async (t) => {
  // Chromium's quota is a share of the profile's disk: a 64 MiB one fills
  // up for real. Mounting it needs the privilege to; without, this is skipped.
  const disk = mkdtempSync(join(tmpdir(), 'wasmux-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', disk], { stdio: 'ignore' });
  } catch {
    rmSync(disk, { recursive: true });
    t.skip('mounting a small tmpfs for the profile is not permitted here');
    return;
  }
  const context = await launchWithProfile(join(disk, 'profile'));
  try {
    const shell = await Shell.open(await context.newPage(), shared.server.url);
    const times = (screen) => screen.split('storage quota is exhausted').length - 1;
    const said = async () => times(await shell.screen());
    await shell.run('dd if=/dev/urandom of=big bs=1048576 count=40 2>/dev/null; sync');
    await shell.waitForScreen('the full disk to be said', (screen) => times(screen) > 0);
    assert.match(await shell.page.textContent('#storage'), /storage FULL/);
    // The shell works on (the changes are kept in memory), and is told once.
    assert.equal(await shell.run('wc -c < big'), String(40 << 20));
    assert.equal(await said(), 1);
    // With the file gone, the next commit goes through.
    await shell.run('rm big; echo small > note; sync');
    await textAppears(shell.page, '#storage', /^storage: /, 'saving to resume');
    await shell.page.reload();
    const again = await Shell.open(shell.page, shared.server.url);
    assert.equal(await again.run('cat note; [ -e big ] || echo gone'), 'small\ngone');
  } finally {
    await context.close();
    // Lazily: a process of the browser still closing must not fail the test.
    execFileSync('umount', ['-l', disk]);
    rmSync(disk, { recursive: true });
  }
});

test('reset restores the pristine image', async () => {
  await inFreshTab(async ({ shell }) => {
    await shell.run('echo mine > ~/mine.txt; rm /bin/vi; sync');
    shell.page.once('dialog', (dialog) => dialog.accept());
    const reloaded = shell.page.waitForEvent('load');
    await shell.page.click('#reset');
    await reloaded;
    const fresh = await Shell.open(shell.page, shared.server.url);
    assert.match(await fresh.run('ls ~/mine.txt 2>&1'), /No such file or directory/);
    assert.equal(await fresh.run('ls /bin/vi'), '/bin/vi');
  });
});

test('a second tab waits for the first, then starts on the same files', async () => {
  await inFreshTab(async ({ context, shell }) => {
    await shell.run('echo from-the-first > ~/shared.txt; sync');
    const second = await context.newPage();
    await second.goto(shared.server.url);
    await textAppears(second, '#status', /open in another tab/, 'the second tab to wait');
    assert.equal(await second.evaluate(() => window.wasmux.state), 'waiting');
    await shell.page.close();
    await second.evaluate(() => window.wasmux.ready);
    const shell2 = new Shell(second);
    assert.equal(await shell2.run('cat ~/shared.txt'), 'from-the-first');
  });
});

test('many blocking processes start at once without a deadlock', async () => {
  await inFreshTab(async ({ shell }) => {
    // Twenty sleepers, each blocked in its own worker, and a pipeline
    // through the shell while they wait.
    const out = await shell.run('for i in $(seq 20); do sleep 1 & done; echo up | cat; wait; echo all done');
    assert.match(out, /^up$/m);
    assert.match(out, /^all done$/m);
    assert.equal(await shell.run('jobs | wc -l'), '0');
  });
});

test('a tab runs thousands of processes, one after another and side by side', async () => {
  await inFreshTab(async ({ shell }) => {
    // Every fork copies the shell's memory, and V8 reserves ~10 GiB of
    // address space for each: they must be released as processes end, or
    // the tab runs out after some hundreds.
    // (~30 s on an idle 2-CPU machine; the patience is for a loaded one.)
    const long = 300_000;
    assert.equal(await shell.run('i=0; while [ $i -lt 3000 ]; do /bin/true || break; i=$((i+1)); done; echo $i', long), '3000');
    // Workers come and go (four idle ones are kept): over 150 of them in
    // this tab's life, each started and retired cleanly.
    assert.equal(await shell.run(
      "sh -c 'for r in $(seq 9); do for i in $(seq 20); do sleep 0.1 & done; wait; done; echo rounds done'", long),
    'rounds done');
    assert.equal(await shell.run('echo still here'), 'still here');
    assert.deepEqual(shell.consoleErrors, []);
  });
});

test('a program is compiled once, not once per worker', async () => {
  await inFreshTab(async ({ shell }) => {
    // A dozen processes at once, each in a new worker, each busybox.
    assert.equal(await shell.run("sh -c 'for i in $(seq 12); do sleep 0.2 & done; wait; echo done'"), 'done');
    const compiled = shell.consoleLines.filter((line) => /compiled a module/.test(line));
    assert.equal(compiled.length, 1, compiled.join('\n'));
  });
});

// A WebAssembly program whose start is `unreachable`, as printf escapes.
const TRAP = '\\000\\141\\163\\155\\001\\000\\000\\000\\001\\004\\001\\140\\000\\000' +
  '\\003\\002\\001\\000\\005\\003\\001\\000\\001\\007\\023\\002\\006memory\\002\\000' +
  '\\006_start\\000\\000\\012\\005\\001\\003\\000\\000\\013';

test('a trap ends only its process', async () => {
  await inFreshTab(async ({ shell }) => {
    await shell.run(`printf '${TRAP}' > /tmp/trap && chmod +x /tmp/trap`);
    // It dies as if by SIGABRT (how wasi-libc's abort ends, too).
    assert.match(await shell.run('/tmp/trap; echo status $?'), /^status 134$/m);
    assert.equal(await shell.run('echo still here'), 'still here');
  });
});

test('resizing the page resizes the terminal, and programs hear SIGWINCH', async () => {
  await inFreshTab(async ({ shell }) => {
    const before = await shell.run('stty size');
    await shell.run("trap 'echo window changed' WINCH");
    await shell.page.setViewportSize({ width: 640, height: 360 });
    await shell.waitForScreen('SIGWINCH to reach the shell', (screen) => /window changed/.test(screen));
    const after = await shell.run('stty size');
    assert.notEqual(after, before);
    const [rows, cols] = after.split(' ').map(Number);
    const [rows0, cols0] = before.split(' ').map(Number);
    assert.ok(rows < rows0 && cols < cols0, `${before} -> ${after}`);
  });
});
