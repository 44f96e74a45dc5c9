// Passkeys (WebAuthn): the browser's side of adding one and of signing in with one.
// Each form carries data-options-url and data-verify-url: the script posts to the first for the
// options (the portal keeps the challenge), calls navigator.credentials, and posts the result
// as JSON with the form's CSRF token to the second, which answers {redirect} or {error, field}.
// Where passkeys cannot work (no JavaScript, or an old browser) the forms stay hidden and the
// page's [data-passkey-unsupported] text says so.
(function () {
  'use strict'

  function toBytes (text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
    const padded = base64 + '==='.slice((base64.length + 3) % 4)
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0) })
  }

  function toText (buffer) {
    let binary = ''
    new Uint8Array(buffer).forEach(function (b) { binary += String.fromCharCode(b) })
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  }

  function withIds (list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }) })
  }

  function creationOptions (json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: withIds(json.excludeCredentials)
    })
  }

  function requestOptions (json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      allowCredentials: withIds(json.allowCredentials)
    })
  }

  function credentialJSON (credential) {
    const r = credential.response
    const response = { clientDataJSON: toText(r.clientDataJSON) }
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject)
      response.transports = r.getTransports ? r.getTransports() : []
    } else {
      response.authenticatorData = toText(r.authenticatorData)
      response.signature = toText(r.signature)
      response.userHandle = r.userHandle ? toText(r.userHandle) : null
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults()
    })
  }

  function post (form, url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': form.querySelector('input[name="csrf_token"]').value
      },
      body: JSON.stringify(body || {})
    })
  }

  function element (tag, className, text) {
    const made = document.createElement(tag)
    if (className) { made.className = className }
    if (text) { made.textContent = text }
    return made
  }

  // The Design System's error summary, linking to the field at fault if there is one.
  function errorSummary (message, field) {
    const summary = element('div', 'govuk-error-summary')
    const alert = element('div')
    alert.setAttribute('role', 'alert')
    alert.appendChild(element('h2', 'govuk-error-summary__title', 'There is a problem'))
    const body = element('div', 'govuk-error-summary__body')
    const list = element('ul', 'govuk-list govuk-error-summary__list')
    const item = element('li')
    if (field && document.getElementById(field)) {
      const link = element('a', '', message)
      link.href = '#' + field
      item.appendChild(link)
    } else {
      item.textContent = message
    }
    list.appendChild(item)
    body.appendChild(list)
    alert.appendChild(body)
    summary.appendChild(alert)
    summary.setAttribute('tabindex', '-1')
    return summary
  }

  function showError (message, field) {
    const place = document.querySelector('[data-passkey-error]')
    const summary = errorSummary(message, field)
    place.replaceChildren(summary)
    place.hidden = false
    if (document.title.indexOf('Error: ') !== 0) { document.title = 'Error: ' + document.title }
    summary.focus()
  }

  const UNAVAILABLE = 'Sorry, there is a problem with the service. Reload the page and try again.'
  const TOO_MANY = 'You have tried too many times. Wait a minute and try again.'
  const BROWSER_REFUSED = 'Your browser did not use a passkey. Try again, or use another way to sign in.'

  async function ceremony (form, ask, extra) {
    const options = await post(form, form.dataset.optionsUrl)
    if (!options.ok) { throw new Error(options.status === 429 ? TOO_MANY : UNAVAILABLE) }
    let credential
    try {
      credential = await ask(await options.json())
    } catch (error) {
      throw new Error(BROWSER_REFUSED)
    }
    const answer = await post(form, form.dataset.verifyUrl,
      Object.assign({ credential: credentialJSON(credential) }, extra))
    const result = await answer.json().catch(function () {
      return { error: answer.status === 429 ? TOO_MANY : UNAVAILABLE }
    })
    if (!answer.ok) {
      const failure = new Error(result.error)
      failure.field = result.field
      throw failure
    }
    window.location.assign(result.redirect)
  }

  function register (json) {
    return navigator.credentials.create({ publicKey: creationOptions(json) })
  }

  function authenticate (json) {
    return navigator.credentials.get({ publicKey: requestOptions(json) })
  }

  function attach (form, ask, extra) {
    form.hidden = false
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      const button = form.querySelector('button, input[type="submit"]')
      button.disabled = true
      ceremony(form, ask, extra(form)).catch(function (error) {
        button.disabled = false
        showError(error.message, error.field)
      })
    })
  }

  function start () {
    if (!window.PublicKeyCredential || !navigator.credentials) { return }
    document.querySelectorAll('[data-passkey-unsupported]').forEach(function (e) { e.hidden = true })
    document.querySelectorAll('[data-passkey-section]').forEach(function (e) { e.hidden = false })
    document.querySelectorAll('form[data-passkey-register]').forEach(function (form) {
      attach(form, register, function (f) { return { name: f.querySelector('[name="name"]').value } })
    })
    document.querySelectorAll('form[data-passkey-authenticate]').forEach(function (form) {
      attach(form, authenticate, function () { return {} })
    })
  }

  start()
})()
