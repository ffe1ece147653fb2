import { HANDOFF_ENV } from '@release/shared/aws/handoff'
import { authenticatedUrl } from '@release/shared/secrets'
import type { IndexMode, Tool } from './inputs.ts'

export interface IndexAccess {
  indexUrl: string
  registryUrl: string
  username: string
  token: string
}

/** uv and poetry read per-index credentials from variables named after the index. */
export function envNameStem(indexName: string): string {
  return indexName.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/** The variable a Pipfile `[[source]]` names as `url = "${...}"`. */
export function pipenvUrlVariable(indexName: string): string {
  return `PIPENV_${envNameStem(indexName)}_URL`
}

// The variable names come from each tool's documentation:
// pip: PIP_<OPTION> for every command-line option (pip "Configuration: Environment Variables");
// uv: UV_DEFAULT_INDEX / UV_INDEX take `name=url`, credentials in UV_INDEX_<NAME>_USERNAME /
//     _PASSWORD, uploads in UV_PUBLISH_URL / _USERNAME / _PASSWORD ("Environment variables");
// twine: TWINE_REPOSITORY_URL / TWINE_USERNAME / TWINE_PASSWORD;
// poetry: POETRY_REPOSITORIES_<NAME>_URL and POETRY_HTTP_BASIC_<NAME>_USERNAME / _PASSWORD;
// pipenv: no credential variables of its own, but it expands `${VAR}` in a Pipfile `[[source]]`
//     url and writes the unexpanded form into Pipfile.lock ("Credentials" in pipenv's docs), so
//     PIPENV_<NAME>_URL holds the whole index URL with the token inside (URL-encoded) for
//     `url = "${PIPENV_<NAME>_URL}"`.
export function toolEnvironment(
  tools: readonly Tool[],
  access: IndexAccess,
  mode: IndexMode,
  indexName: string
): Record<string, string> {
  const stem = envNameStem(indexName)
  const env: Record<string, string> = {}
  for (const tool of tools) {
    switch (tool) {
      case 'pip':
        // pip has no per-index credential variables, so the token rides inside the URL.
        env[mode === 'replace' ? 'PIP_INDEX_URL' : 'PIP_EXTRA_INDEX_URL'] = authenticatedUrl(
          access.indexUrl,
          access.username,
          access.token
        )
        break
      case 'uv':
        env[mode === 'replace' ? 'UV_DEFAULT_INDEX' : 'UV_INDEX'] = `${indexName}=${access.indexUrl}`
        env[`UV_INDEX_${stem}_USERNAME`] = access.username
        env[`UV_INDEX_${stem}_PASSWORD`] = access.token
        env['UV_PUBLISH_URL'] = access.registryUrl
        env['UV_PUBLISH_USERNAME'] = access.username
        env['UV_PUBLISH_PASSWORD'] = access.token
        break
      case 'twine':
        env['TWINE_REPOSITORY_URL'] = access.registryUrl
        env['TWINE_USERNAME'] = access.username
        env['TWINE_PASSWORD'] = access.token
        break
      case 'poetry':
        env[`POETRY_REPOSITORIES_${stem}_URL`] = access.registryUrl
        env[`POETRY_HTTP_BASIC_${stem}_USERNAME`] = access.username
        env[`POETRY_HTTP_BASIC_${stem}_PASSWORD`] = access.token
        break
      case 'pipenv':
        env[pipenvUrlVariable(indexName)] = authenticatedUrl(access.indexUrl, access.username, access.token)
        break
    }
  }
  return env
}

/**
 * Everything a login sets: the tools' variables, and the token, endpoints and expiry under the
 * HANDOFF_ENV names (CODEARTIFACT_AUTH_TOKEN, as the AWS documentation names it) that later
 * steps of a job, and scripts written for `aws codeartifact get-authorization-token`, read.
 * The action exports them for the job, the developer CLI prints them for a shell.
 */
export function loginVariables(
  tools: readonly Tool[],
  access: IndexAccess & { expiration: Date },
  mode: IndexMode,
  indexName: string
): Record<string, string> {
  return {
    ...toolEnvironment(tools, access, mode, indexName),
    [HANDOFF_ENV.token]: access.token,
    [HANDOFF_ENV.registryUrl]: access.registryUrl,
    [HANDOFF_ENV.indexUrl]: access.indexUrl,
    [HANDOFF_ENV.expiration]: access.expiration.toISOString()
  }
}
