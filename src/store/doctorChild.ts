/**
 * @module doctorChild: the process `runDoctor` starts to check a data directory. It writes one line
 * per event to stdout, synchronously, so the parent knows what was being read if this process dies:
 * `check <id>` as each check starts, `done <json>` as it ends, `report <json>` at the end.
 * `HIVESTATE_DOCTOR_ABORT_AT=<check id>` makes it abort as that check starts (a test hook that
 * stands for a read that crashes the process).
 */
import { writeSync } from 'node:fs';
import { diagnoseDataDir } from './diagnoseDataDir.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: doctorChild <dir>');
const abortAt = process.env.HIVESTATE_DOCTOR_ABORT_AT;
const emit = (line: string) => writeSync(1, `${line}\n`);
const report = diagnoseDataDir(dir, (id, done) => {
  if (done) return emit(`done ${JSON.stringify(done)}`);
  emit(`check ${id}`);
  if (id === abortAt) process.abort();
});
emit(`report ${JSON.stringify(report)}`);
