import { redact } from './secrets.ts'
import { appendStepSummary } from './workflow-commands.ts'

// Job summaries are read by people deciding what to do next, so each action writes one.
// The runner does not promise to mask the summary file, so every cell passes through
// redact() before it is written.

export type Row = readonly string[]

export interface SummarySection {
  heading?: string
  text?: string
  table?: { header: Row; rows: Row[] }
  /** Shell commands shown as a code block. */
  code?: { lang: string; lines: string[] }
  list?: string[]
}

function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

export function renderSummary(title: string, sections: readonly SummarySection[]): string {
  const out: string[] = [`## ${title}`, '']
  for (const section of sections) {
    if (section.heading) out.push(`### ${section.heading}`, '')
    if (section.text) out.push(section.text, '')
    if (section.table) {
      out.push(`| ${section.table.header.map(escapeCell).join(' | ')} |`)
      out.push(`| ${section.table.header.map(() => '---').join(' | ')} |`)
      for (const row of section.table.rows) out.push(`| ${row.map(escapeCell).join(' | ')} |`)
      out.push('')
    }
    if (section.list) out.push(...section.list.map((item) => `- ${item}`), '')
    if (section.code) out.push('```' + section.code.lang, ...section.code.lines, '```', '')
  }
  return redact(out.join('\n'))
}

/** Appends to GITHUB_STEP_SUMMARY; a no-op where there is none (local runs). */
export async function writeJobSummary(title: string, sections: readonly SummarySection[]): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  await appendStepSummary(renderSummary(title, sections))
}
