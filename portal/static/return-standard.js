// Show a question's action fields only when requires improvement or inadequate is chosen.
// Without JavaScript they are always shown, and the server ignores them for other grades.
const WEAK = ['requires_improvement', 'inadequate']

document.querySelectorAll('[data-app-action-for]').forEach((block) => {
  const name = block.getAttribute('data-app-action-for')
  const radios = document.querySelectorAll(`input[type="radio"][name="${name}"]`)
  const update = () => {
    const chosen = Array.from(radios).find((radio) => radio.checked)
    const hasError = block.querySelector('.govuk-error-message') !== null
    block.hidden = !hasError && !(chosen && WEAK.includes(chosen.value))
  }
  radios.forEach((radio) => radio.addEventListener('change', update))
  update()
})
