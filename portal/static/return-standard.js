// Show a question's reason field only for "not applicable", and its action fields only for
// "requires improvement" or "inadequate". Without JavaScript they are always shown, and the
// server ignores them for other grades. A block holding an error message is always shown.
document.querySelectorAll('[data-app-reveal-name]').forEach((block) => {
  const name = block.getAttribute('data-app-reveal-name')
  const values = block.getAttribute('data-app-reveal-values').split(' ')
  const radios = document.querySelectorAll(`input[type="radio"][name="${name}"]`)
  const update = () => {
    const chosen = Array.from(radios).find((radio) => radio.checked)
    const hasError = block.querySelector('.govuk-error-message') !== null
    block.hidden = !hasError && !(chosen && values.includes(chosen.value))
  }
  radios.forEach((radio) => radio.addEventListener('change', update))
  update()
})
