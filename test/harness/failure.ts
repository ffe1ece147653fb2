import { ActionError, describeError } from '../../packages/shared/src/errors.ts'

/**
 * The one line run() would print for what `fn` throws, from an ActionError (InputError is one):
 * anything else, or no throw at all, fails the test.
 */
export function failure(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return describeError(error)
  }
  throw new Error('expected a failure')
}
