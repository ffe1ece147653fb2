// What the main run leaves for the post run (the runner hands it back as STATE_<name>).
export const STATE = {
  /** The private directory that held the secret file; the post run removes whatever is left. */
  secretDir: 'secret-dir',
  /** The command that logged in, and the registries it logged in to (JSON array), to log out. */
  builder: 'builder-command',
  registries: 'logged-in-registries'
} as const

/** Prefix of the private directory; the post run removes only directories it recognizes. */
export const SECRET_DIR_PREFIX = 'docker-build-auth'
