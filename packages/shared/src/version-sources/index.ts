// Version sources: where a Python project keeps its version, read, checked for agreement and
// rewritten token by token. See discover.ts for what is found and how.
export * from './types.ts'
export * from './discover.ts'
export * from './agreement.ts'
export * from './editor.ts'
export * from './pyproject.ts'
export * from './setup-cfg.ts'
export * from './python-file.ts'
export * from './plain-file.ts'
export * from './toml-locate.ts'
