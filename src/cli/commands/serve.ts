/** @module The `serve` command: the inspector (web page, API, WebSockets) over a data directory or a recording. */
import type { Command } from 'commander';
import { defaultHiveOptions } from '../../createHive.js';
import { ValidationError } from '../../errors.js';
import { compileInspectOptions } from '../../inspect/compileInspectOptions.js';
import { type InspectorServer, startInspector } from '../../inspect/InspectorServer.js';
import { openReplay } from '../../replay/Replay.js';

/**
 * Registers `hivestate serve [source] [--port P] [--host H] [--token T]`; runs until interrupted.
 * @example register(program); await program.parseAsync(['serve', './.hivestate', '--port', '7070'], { from: 'user' })
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description('open the inspector on a recorded run: actor tree, statecharts, timeline, time travel')
    .argument('[source]', 'a data directory (read-only; a live hive may be writing it) or a recording file', defaultHiveOptions.dataDir)
    .option('--port <port>', 'TCP port (0: any free port)', '0')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--token <token>', 'access token (default: random, printed)')
    .addHelpText(
      'after',
      '\nPrints the page URL with its access token; the page, API and sockets refuse requests without it.\nRequests must address the listener (Host: localhost, 127.0.0.1, [::1] or --host, with the port; any IP on a 0.0.0.0/:: listener); others get 403.\nFor a live hive, pass `inspect: { port }` to createHive instead.',
    )
    .action(async (source: string, o: { port: string; host: string; token?: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ValidationError('--port', `must be an integer from 0 to 65535, got ${JSON.stringify(o.port)}`);
      // Checked before the source is opened: a bad token costs nothing.
      const options = compileInspectOptions({ port, host: o.host, ...(o.token === undefined ? {} : { token: o.token }) });
      const replay = await openReplay(source);
      let server: InspectorServer;
      try {
        server = await startInspector({ replay }, options);
      } catch (err) {
        await replay.close();
        throw err;
      }
      process.stdout.write(`inspector for ${source} (${replay.lastSeq} inputs)\n  ${server.url}\n  token ${server.token}\nPress Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await replay.close();
    });
}
