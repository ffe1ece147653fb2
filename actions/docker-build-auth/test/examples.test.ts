import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { analyseDockerfile, mountsOf } from '@release/shared/container/dockerfile'

// The example Dockerfiles are what users copy: each installs through the secret the action
// provides by default, and none carries the index URL in an ARG or ENV.
const EXAMPLES = join(new URL('../../..', import.meta.url).pathname, 'examples', 'docker')

describe.each(['Dockerfile.pip', 'Dockerfile.uv', 'Dockerfile.multistage', 'Dockerfile.uv-sync'])(
  'examples/docker/%s',
  (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8')
    const info = analyseDockerfile(text)

    it('mounts the default secret id in a RUN step that reads it into the installer only', () => {
      expect(mountsOf(info, 'pip_index_url')).toHaveLength(1)
      expect(text).toMatch(
        /--mount=type=secret,id=pip_index_url \\\n\s+(PIP_INDEX_URL|UV_DEFAULT_INDEX)="\$\(cat \/run\/secrets\/pip_index_url\)" \\\n\s+(pip install|uv pip install|\/venv\/bin\/pip install|uv sync --frozen)/
      )
    })

    it('never declares the index URL as ARG or ENV', () => {
      expect(info.args).toEqual([])
      expect(text).not.toMatch(/^\s*(ENV|ARG)\s+(PIP_INDEX_URL|UV_DEFAULT_INDEX|UV_INDEX_URL)/m)
    })
  }
)
