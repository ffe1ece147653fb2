import { jest } from '@jest/globals'

// What the code under test writes to stdout (workflow commands, log lines), captured instead of
// printed for each test of the file that calls this; `written` is emptied before each test.
export function captureStdout(): string[] {
  const written: string[] = []
  beforeEach(() => {
    written.length = 0
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
  })
  afterEach(() => jest.restoreAllMocks())
  return written
}
