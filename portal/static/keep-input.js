// Keep what the user typed in this browser tab (sessionStorage), never on the server.
// A form marked data-app-keep-input is copied into sessionStorage when it is submitted and when
// the session times out. When the same page of the same return is opened fresh again (after
// signing in, or after an error page) and the return's version is still the one the form was
// read at, the input is put back for the user to save. A successful save changes the version,
// so what was kept is then dropped. Nothing a cross-site page posts can ever land here.
const PREFIX = 'app-keep:'
const form = document.querySelector('form[data-app-keep-input]')

function versionOf (f) {
  const field = f.querySelector('input[name="version"]')
  return field ? field.value : ''
}

function keep (f) {
  const fields = []
  new FormData(f).forEach((value, name) => {
    if (name !== 'csrf_token' && typeof value === 'string') fields.push([name, value])
  })
  try {
    sessionStorage.setItem(PREFIX + location.pathname,
      JSON.stringify({ version: versionOf(f), fields }))
  } catch (error) { /* storage full or disabled: nothing to keep */ }
}

function putBack (f, fields) {
  const byName = new Map()
  fields.forEach(([name, value]) => {
    if (!byName.has(name)) byName.set(name, [])
    byName.get(name).push(value)
  })
  f.querySelectorAll('input, textarea, select').forEach((element) => {
    const values = byName.get(element.name)
    if (!values || element.name === 'csrf_token' || element.name === 'version' ||
        element.name === 'digest' || element.type === 'hidden' || element.type === 'submit') return
    if (element.type === 'radio' || element.type === 'checkbox') {
      element.checked = values.includes(element.value)
      element.dispatchEvent(new Event('change'))
    } else {
      element.value = values[0]
    }
  })
}

if (form) {
  const key = PREFIX + location.pathname
  let kept = null
  try { kept = JSON.parse(sessionStorage.getItem(key) || 'null') } catch (error) { kept = null }
  if (kept && form.dataset.appKeepInput === 'restore') {
    if (kept.version === versionOf(form) && Array.isArray(kept.fields)) {
      putBack(form, kept.fields)
      const notice = document.getElementById('app-kept-input')
      if (notice) notice.hidden = false
    } else {
      sessionStorage.removeItem(key) // saved since (or changed by someone else): nothing to put back
    }
  }
  form.addEventListener('submit', () => keep(form))
  document.addEventListener('app:session-expired', () => keep(form))
}

// Signing out on purpose forgets everything kept in this tab.
document.querySelectorAll('form[data-app-forget-kept]').forEach((f) => {
  f.addEventListener('submit', () => {
    Object.keys(sessionStorage).filter((k) => k.startsWith(PREFIX))
      .forEach((k) => sessionStorage.removeItem(k))
  })
})
