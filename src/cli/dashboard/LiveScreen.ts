/** @module LiveScreen: redraws a block of lines in place on a TTY (ANSI), a few times a second. */
import type { WriteStream } from 'node:tty';

/**
 * Draws frames over the previous one: the cursor goes back up to the frame's first line and each
 * line is cleared before it is written, so nothing scrolls while the frame fits the terminal.
 * @example const screen = new LiveScreen(process.stdout); screen.draw(['hello']); screen.end()
 */
export class LiveScreen {
  private drawn = 0;

  constructor(private readonly out: WriteStream) {
    this.out.write('\x1b[?25l'); // hide the cursor while drawing
  }

  get size(): { width: number; height: number } {
    return { width: this.out.columns || 80, height: this.out.rows || 24 };
  }

  draw(lines: string[]): void {
    let buf = this.drawn > 0 ? `\x1b[${this.drawn}F` : '\r';
    for (const line of lines) buf += `\x1b[2K${line}\n`;
    // A shorter frame than the last one: clear what is left below it.
    buf += '\x1b[J';
    this.drawn = lines.length;
    this.out.write(buf);
  }

  /** Leaves the last frame on screen and shows the cursor again. */
  end(): void {
    this.out.write('\x1b[?25h');
  }
}
