import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, type CliResult } from './cliRunner.js';
import { tempDir } from './helpers.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** Splits one shell command into words (single and double quotes, no expansion: README's commands need none). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (quote) throw new Error(`unbalanced quote in README command: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

const scripts = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const cliScript = 'node dist/src/cli/main.js ';

/** The CLI arguments of `npm run <script> [-- args]` when the script runs the CLI; throws for a script package.json lacks. */
function npmRunArgs(words: string[]): string[] | undefined {
  const script = scripts[words[2]!];
  if (script === undefined) throw new Error(`README runs \`npm run ${words[2]}\` but package.json has no such script`);
  if (!script.startsWith(cliScript)) return undefined;
  const dash = words.indexOf('--');
  return [...shellWords(script.slice(cliScript.length)), ...(dash < 0 ? [] : words.slice(dash + 1))];
}

/** Every `hivestate ...` command (also after `npx`, `&&`, or as an `npm run` script) in README's sh code blocks, in order, without its comment. */
function readmeCommands(text: string): string[][] {
  const out: string[][] = [];
  for (const block of text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    for (const line of block[1]!.split('\n')) {
      const code = line.replace(/\s+#.*$/, '');
      for (const part of code.split('&&')) {
        const words = shellWords(part.trim());
        const at = words[0] === 'npx' ? 1 : 0;
        if (words[at] === 'hivestate') out.push(words.slice(at + 1));
        else if (words[0] === 'npm' && words[1] === 'run') {
          const args = npmRunArgs(words);
          if (args) out.push(args);
        }
      }
    }
  }
  return out;
}

/** Runs one command; a command that does not exit within `ms` fails (long-running ones need their one-shot flag in README). */
async function run(args: string[], cwd: string, ms = 20_000): Promise<CliResult & { timedOut: boolean }> {
  const cli = startCli(args, {}, cwd);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    cli.child.kill('SIGKILL');
  }, ms);
  const r = await cli.done;
  clearTimeout(timer);
  return { ...r, timedOut };
}

describe('README', () => {
  it('finds the shell commands in README', () => {
    const commands = readmeCommands(readme).map((c) => c.join(' '));
    expect(commands).toContain('demo');
    expect(commands).toContain('replay info ./.hivestate');
    expect(commands.find((c) => c.startsWith('post '))).toMatch(/--input \{"target":"docs"\}/);
  });

  it('every hivestate command in README runs as written against the demo directory (exit status 0)', async () => {
    // The demo runs once, fast, in ./.hivestate of a scratch working directory: the commands' default.
    const cwd = tempDir('hive-readme-');
    const demo = await run(['demo', '--speed', '50'], cwd, 30_000);
    expect(demo.code, demo.stderr).toBe(0);
    // In README order (post before cancel); every failure is reported, not only the first.
    const failures: Array<{ command: string; code: number | null; timedOut: boolean; stderr: string }> = [];
    for (const args of readmeCommands(readme)) {
      const r = await run(args, cwd);
      if (r.code !== 0 || r.timedOut || r.stderr !== '')
        failures.push({ command: `hivestate ${args.join(' ')}`, code: r.code, timedOut: r.timedOut, stderr: r.stderr });
    }
    expect(failures).toEqual([]);
  }, 90_000);
});
