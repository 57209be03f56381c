/**
 * A Jest reporter that writes how far the run got after every test file (JEST_PROGRESS_FILE):
 * tests passed and failed so far, files done, and the files running with their start times.
 * Jest's own JSON results only appear at the very end, so when scripts/test.ts has to stop a
 * run at its deadline this file is what still tells which test file hung and what had passed.
 * Plain CommonJS: Jest loads reporters without the TypeScript transform.
 */
const fs = require('node:fs');

class ProgressReporter {
  constructor() {
    this.file = process.env.JEST_PROGRESS_FILE;
    this.state = { passed: 0, failed: 0, filesFailedToRun: 0, filesDone: 0, running: {} };
  }

  write() {
    if (!this.file) return;
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }

  onTestFileStart(test) {
    this.state.running[test.path] = Date.now();
    this.write();
  }

  onTestFileResult(test, result) {
    delete this.state.running[test.path];
    this.state.filesDone += 1;
    this.state.passed += result.numPassingTests;
    this.state.failed += result.numFailingTests;
    if (result.testExecError) this.state.filesFailedToRun += 1;
    this.write();
  }
}

module.exports = ProgressReporter;
