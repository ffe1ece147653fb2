import { runAction } from '@release/shared/run-action'
import { getInputs } from './inputs.ts'

await runAction({ getInputs, loadMain: () => import('./main.ts') })
