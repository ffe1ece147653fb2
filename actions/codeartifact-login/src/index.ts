import { describeError } from '@release/shared'
console.log(describeError(new Error('hello')))
