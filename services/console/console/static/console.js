// GOV.UK Frontend's components (the pages work without it: it only adds behaviour such as the error summary's focus)
import { initAll } from '/assets/govuk-frontend.min.js'
initAll()
