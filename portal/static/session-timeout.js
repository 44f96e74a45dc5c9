// Warn a few minutes before the session times out, offer to stay signed in, and say what
// happens to unsaved input once it has timed out (keep-input.js keeps it in this tab).
const holder = document.getElementById('app-session-timeout')

function banner (message, withButton, onStay) {
  const box = document.createElement('div')
  box.className = 'govuk-notification-banner app-session-notice'
  box.setAttribute('role', 'alert')
  box.setAttribute('aria-labelledby', 'app-session-notice-title')
  const header = document.createElement('div')
  header.className = 'govuk-notification-banner__header'
  const title = document.createElement('h2')
  title.className = 'govuk-notification-banner__title'
  title.id = 'app-session-notice-title'
  title.textContent = 'Important'
  header.appendChild(title)
  const content = document.createElement('div')
  content.className = 'govuk-notification-banner__content'
  const text = document.createElement('p')
  text.className = 'govuk-notification-banner__heading'
  text.textContent = message
  content.appendChild(text)
  if (withButton) {
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-!-margin-bottom-0'
    button.textContent = 'Stay signed in'
    button.addEventListener('click', onStay)
    content.appendChild(button)
  }
  box.append(header, content)
  return box
}

if (holder) {
  const minutes = Number(holder.dataset.minutes) || 30
  const warnMinutes = Math.min(Number(holder.dataset.warnMinutes) || 5, minutes / 2)
  const keepAliveUrl = holder.dataset.keepAliveUrl
  const main = document.querySelector('main') || document.body
  let timers = []
  let notice = null

  const show = (message, withButton) => {
    if (notice) notice.remove()
    notice = banner(message, withButton, stay)
    main.prepend(notice)
  }
  const expired = () => {
    document.dispatchEvent(new Event('app:session-expired')) // keep-input.js keeps the form
    show('You have been signed out because you were inactive. What you entered on this page ' +
      'is kept in this browser tab: sign in again and it will be put back for you to save.', false)
  }
  const warn = () => show(`You will be signed out in ${warnMinutes} minutes because you have ` +
    'been inactive. Save your answers, or stay signed in.', true)
  const schedule = () => {
    timers.forEach(clearTimeout)
    if (notice) { notice.remove(); notice = null }
    timers = [setTimeout(warn, (minutes - warnMinutes) * 60000), setTimeout(expired, minutes * 60000)]
  }
  async function stay () {
    try {
      const response = await fetch(keepAliveUrl, { credentials: 'same-origin', redirect: 'manual' })
      if (response.status === 204) { schedule(); return }
    } catch (error) { /* offline: fall through */ }
    expired()
  }
  schedule()
  holder.dataset.started = 'true'
}
