import { describeError } from './errors.ts'
import { maskProxyCredentials } from './proxy-env.ts'
import { getState, saveState, setFailed } from './workflow-commands.ts'

// The entry every action's index.ts calls. Inputs are parsed before the action's main module
// (the toolkit, the AWS SDK) is loaded, so a bad input fails in a few milliseconds and a good
// run pays the load cost once.
//
// Actions with a post step run the same bundle twice (action.yml points `main` and `post` at
// dist/index.js): the main run saves a state flag first thing, and the runner hands saved
// state back to the post run as STATE_<name>.

const POST_FLAG = 'isPost'

export interface ActionModules<I> {
  getInputs: () => I
  loadMain: () => Promise<{ run: (inputs: I) => Promise<void> }>
  loadPost?: () => Promise<{ post: () => Promise<void> }>
}

export async function runAction<I>(modules: ActionModules<I>): Promise<void> {
  try {
    // Before anything can print: a proxy URL's user:password@ never reaches the log.
    maskProxyCredentials()
    if (modules.loadPost) {
      if (getState(POST_FLAG) === 'true') {
        await (await modules.loadPost()).post()
        return
      }
      // Saved before anything can fail, so the post run never mistakes itself for main.
      saveState(POST_FLAG, 'true')
    }
    const inputs = modules.getInputs()
    await (await modules.loadMain()).run(inputs)
  } catch (error) {
    // The light writer, so that a bad input fails without loading the toolkit at all.
    setFailed(describeError(error))
  }
}
