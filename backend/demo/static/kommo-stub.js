/*
 * A stand-in for the Kommo web app, for the demo only. It provides what Kommo gives a widget —
 * the APP global, the widget helpers (system, get_settings, set_settings, i18n, render_template,
 * $authorizedAjax with a real one-time JWT, get_current_card_contacts_data, list_selected) — and
 * calls the widget's callbacks the way Kommo does when areas change. The widget is the real
 * script.js, loaded through an AMD loader (RequireJS).
 */
(function () {
  'use strict';

  // The account's paid period in Kommo: half a year from when the page loaded.
  var PAID_TILL = Math.floor(Date.now() / 1000) + 86400 * 180;
  var WIDGET_CODE = 'wabridge';
  // Kommo's language (APP.lang_id), from ?lang= when the page is opened with one; the switch reloads
  // the page in the chosen one, as Kommo does when a user changes their language.
  var LANGUAGES = ['en', 'es', 'pt', 'ru'];
  var asked = new URLSearchParams(window.location.search).get('lang');
  var language = LANGUAGES.indexOf(asked) !== -1 ? asked : 'en';
  var AREAS = { lead: 'lcard', contact: 'ccard', leads: 'llist', contacts: 'clist', settings: 'settings', advanced: 'advanced_settings', inbox: 'inbox' };
  var state = null;
  var langs = {};
  var settings = {};
  var currentUserId = null;
  var currentArea = null;
  var widget = null;
  var main = document.getElementById('kommo-main');
  var modal = document.getElementById('kommo-modal');
  var modalContent = document.getElementById('kommo-modal-content');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'onclick') node.onclick = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function demoCall(method, path, body) {
    return fetch('/demo' + path, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (!r.ok) throw new Error('demo call failed: ' + r.status);
      return r.json();
    });
  }

  function currentUser() {
    return state.users.filter(function (u) {
      return u.id === currentUserId;
    })[0];
  }

  function lead() {
    return state.leads[0];
  }

  function contactsOf(ids) {
    return state.contacts.filter(function (c) {
      return ids.indexOf(c.id) !== -1;
    });
  }

  // The APP global Kommo pages carry (AMOCRM is its older name).
  window.APP = window.AMOCRM = {
    lang_id: language,
    data: { current_card: null },
    constant: function (name) {
      var user = currentUser();
      if (name === 'user') return { id: user.id, name: user.name, login: user.name.toLowerCase().replace(/\s+/g, '.') + '@demo.test' };
      if (name === 'account') {
        return {
          id: state.account.id,
          subdomain: state.account.subdomain,
          tariffName: state.account.tariffName,
          // Kommo's is a date that stays put while the page is open (the loader compares it between cards).
          paid_till: PAID_TILL,
        };
      }
      return undefined;
    },
    getBaseEntity: function () {
      return currentArea === 'ccard' || currentArea === 'clist' ? 'contacts' : 'leads';
    },
    isCard: function () {
      return currentArea === 'lcard' || currentArea === 'ccard';
    },
    getWidgetsArea: function () {
      return (
        { lcard: 'leads_card', ccard: 'contacts_card', llist: 'leads', clist: 'contacts', advanced_settings: 'advanced-settings:' + WIDGET_CODE }[
          currentArea
        ] || currentArea
      );
    },
  };

  // The helpers Kommo mixes into every widget object.
  var helpers = {
    system: function () {
      return { area: currentArea, subdomain: state.account.subdomain, amouser_id: currentUserId, domain: state.account.subdomain + '.kommo.com' };
    },
    get_settings: function () {
      return Object.assign({ widget_code: WIDGET_CODE, status: state.installed ? 'installed' : 'not_configured' }, settings);
    },
    set_settings: function (values) {
      Object.assign(settings, values);
    },
    i18n: function (section) {
      return langs[section];
    },
    render_template: function (options) {
      var panel = document.getElementById('card-widgets');
      if (!panel) return;
      var block = el('div', { class: 'card-widgets__widget ' + ((options.caption && options.caption.class_name) || '') });
      block.appendChild(el('div', { class: 'card-widgets__widget__caption', text: (langs.widget && langs.widget.name) || WIDGET_CODE }));
      var body = el('div', { class: 'card-widgets__widget__body' });
      body.innerHTML = (options.body || '') + (options.render || '');
      block.appendChild(body);
      panel.innerHTML = '';
      panel.appendChild(block);
    },
    // Like Kommo's: the request carries a fresh one-time JWT in X-Auth-Token.
    $authorizedAjax: function (options) {
      return demoCall('POST', '/kommo/token', { userId: currentUserId }).then(function (minted) {
        var headers = { 'X-Auth-Token': minted.token };
        if (options.data) headers['Content-Type'] = options.contentType || 'application/json';
        return fetch(options.url, { method: options.type || options.method || 'GET', headers: headers, body: options.data }).then(function (r) {
          return r
            .json()
            .catch(function () {
              return null;
            })
            .then(function (body) {
              if (!r.ok) throw { status: r.status, responseJSON: body };
              return body;
            });
        });
      });
    },
    get_current_card_contacts_data: function () {
      if (currentArea === 'lcard') return Promise.resolve(contactsOf(lead().contactIds));
      if (currentArea === 'ccard') return Promise.resolve(state.contacts.slice(0, 1));
      return Promise.resolve([]);
    },
    list_selected: function () {
      var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-row]:checked'));
      var type = currentArea === 'clist' ? 'contact' : 'lead';
      return {
        selected: boxes.map(function (b) {
          return { id: Number(b.getAttribute('data-row')), type: type };
        }),
        summary: { items: boxes.length },
      };
    },
    set_status: function () {},
    get_version: function () {
      return '0.1.0';
    },
    get_install_status: function () {
      return state.installed ? 'installed' : 'not_installed';
    },
  };

  function callback(name, arg) {
    if (!widget) return undefined;
    var parts = name.split('.');
    var fn = parts.length === 2 ? widget.callbacks[parts[0]] && widget.callbacks[parts[0]][parts[1]] : widget.callbacks[name];
    return typeof fn === 'function' ? fn.call(widget, arg) : undefined;
  }

  function runCardCallbacks() {
    // Kommo runs init and bind_actions only when render returns true.
    if (state.installed && callback('render') === true) {
      callback('init');
      callback('bind_actions');
    }
  }

  function renderCard(kind) {
    var record = kind === 'lead' ? lead() : state.contacts[0];
    var fields =
      kind === 'lead'
        ? [
            ['Budget', '$' + record.price],
            [
              'Contact',
              contactsOf(record.contactIds)
                .map(function (c) {
                  return c.name + ' · ' + c.phones.join(', ');
                })
                .join('; '),
            ],
          ]
        : [['Phone', record.phones.join(', ')]];
    var dl = el('dl');
    fields.forEach(function (f) {
      dl.appendChild(el('dt', { text: f[0] }));
      dl.appendChild(el('dd', { text: f[1] }));
    });
    var panel = el('div', { id: 'card-widgets', class: 'card-widgets', 'data-testid': 'card-widgets' });
    if (!state.installed) {
      panel.appendChild(
        el('p', { class: 'card-widgets__hint', text: 'Wabridge is not installed in this account. Open Settings · Integrations to install it.' }),
      );
    }
    var fieldsBox = el('section', { class: 'card__fields' }, [el('h1', { text: record.name }), dl]);
    if (state.sandboxNumber) {
      fieldsBox.appendChild(
        el('div', { class: 'demo-controls' }, [
          el('p', { text: 'Demo: play the customer on WhatsApp (they answer what the agent sends, too).' }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-writes',
            text: 'Customer writes on WhatsApp',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-writes', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'lead-enters-stage',
            text: 'Lead enters “Order shipped” (digital pipeline)',
            onclick: function () {
              demoCall('POST', '/kommo/lead-enters-stage', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'salesbot-step',
            text: 'Salesbot: “Send a WhatsApp template” block',
            onclick: function () {
              demoCall('POST', '/kommo/salesbot-step', {}).then(function (r) {
                var out = document.querySelector('[data-testid="salesbot-exit"]');
                if (out) out.textContent = 'Salesbot continued through the exit: ' + (r.exit || 'none yet');
              });
            },
          }),
          el('p', { 'data-testid': 'salesbot-exit', 'aria-live': 'polite' }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-photo',
            text: 'Customer sends a photo',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-sends-photo', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-unsubscribes',
            text: 'Customer taps “Unsubscribe” in a broadcast',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-taps-unsubscribe', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-replies',
            text: 'Customer replies to your last message',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-replies', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-taps-button',
            text: 'Customer taps a button in a template',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-taps-button', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-reacts',
            text: 'Customer reacts 👍 to your last message',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-reacts', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'customer-shares-location',
            text: 'Customer shares a location',
            onclick: function () {
              demoCall('POST', '/whatsapp/customer-shares-location', {});
            },
          }),
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'jump-ahead',
            text: 'Jump 25 hours ahead (demo clock)',
            onclick: function () {
              demoCall('POST', '/clock/advance', { hours: 25 }).then(showArea);
            },
          }),
        ]),
      );
    }
    main.appendChild(el('div', { class: 'card' }, [fieldsBox, panel]));
    window.APP.data.current_card = { id: record.id };
    runCardCallbacks();
  }

  function renderList(kind) {
    var rows = kind === 'leads' ? state.leads : state.contacts;
    var table = el('table', { class: 'list' }, [el('tr', {}, [el('th', { text: '' }), el('th', { text: 'Name' })])]);
    rows.forEach(function (row) {
      table.appendChild(
        el('tr', {}, [
          el('td', {}, [el('input', { type: 'checkbox', 'data-row': String(row.id), 'aria-label': 'Select ' + row.name })]),
          el('td', { text: row.name }),
        ]),
      );
    });
    var action = el('button', {
      type: 'button',
      class: 'kommo-button',
      text: 'Wabridge',
      onclick: function () {
        callback(kind === 'leads' ? 'leads.selected' : 'contacts.selected');
      },
    });
    if (!state.installed) action.disabled = true;
    main.appendChild(el('div', { class: 'list-actions' }, [el('span', { text: 'With selected:' }), action]));
    main.appendChild(table);
    runCardCallbacks();
  }

  function renderSettingsPage() {
    main.appendChild(el('h1', { text: 'Settings · Integrations' }));
    var tile = el('div', { class: 'integration-tile', role: 'button', tabindex: '0', 'data-testid': 'integration-tile', onclick: openSettingsModal }, [
      el('img', { src: '/demo/images/logo.png', alt: '' }),
      el('div', { text: (langs.widget && langs.widget.name) || 'Wabridge' }),
      el('small', { text: state.installed ? 'Installed' : 'Not installed' }),
    ]);
    main.appendChild(el('div', { class: 'integrations' }, [tile]));
  }

  function openSettingsModal() {
    modalContent.innerHTML = '';
    var buttons = el('div', { class: 'widget-settings__buttons' });
    if (!state.installed) {
      buttons.appendChild(el('button', { type: 'button', class: 'kommo-button', 'data-testid': 'install', text: 'Install', onclick: install }));
    } else {
      buttons.appendChild(el('button', { type: 'button', class: 'kommo-button', 'data-testid': 'save', text: 'Save', onclick: save }));
      buttons.appendChild(
        el('button', { type: 'button', class: 'kommo-button kommo-button--danger', 'data-testid': 'disable', text: 'Disable', onclick: disable }),
      );
    }
    var body = el('div', { class: 'widget_settings_block' });
    modalContent.appendChild(
      el('div', { class: 'widget-settings__head' }, [
        el('img', { src: '/demo/images/logo.png', alt: '' }),
        el('div', {}, [
          el('h2', { id: 'kommo-modal-title', text: (langs.widget && langs.widget.name) || 'Wabridge' }),
          el('p', { text: (langs.widget && langs.widget.short_description) || '' }),
        ]),
      ]),
    );
    modalContent.appendChild(el('p', { text: (langs.widget && langs.widget.description) || '' }));
    if (state.installed) modalContent.appendChild(teamFields());
    modalContent.appendChild(buttons);
    modalContent.appendChild(body);
    modal.hidden = false;
    // Kommo passes the modal body as a jQuery object.
    callback('settings', { jquery: 'kommo-stub', 0: body, length: 1 });
  }

  function closeModal() {
    if (modal.hidden) return;
    modal.hidden = true;
    callback('destroy');
    modalContent.innerHTML = '';
    showArea();
  }

  // The manifest's `team` setting is of type `users`: Kommo shows one text field per user of the account.
  function teamFields() {
    var team = settings.team || {};
    var box = el('fieldset', { class: 'widget-settings__team' }, [el('legend', { text: (langs.settings && langs.settings.team) || 'team' })]);
    state.users.forEach(function (u) {
      box.appendChild(
        el('label', {}, [
          u.name + ' ',
          el('input', { type: 'text', 'data-team-user': String(u.id), value: team[u.id] || '', 'aria-label': 'Wabridge access for ' + u.name }),
        ]),
      );
    });
    return box;
  }

  // Kommo: Save stores the settings fields, then runs onSave (which may return a Promise).
  function save() {
    var team = {};
    Array.prototype.forEach.call(modalContent.querySelectorAll('input[data-team-user]'), function (input) {
      team[input.getAttribute('data-team-user')] = input.value;
    });
    settings.team = team;
    Promise.resolve(callback('onSave')).then(closeModal);
  }

  // Kommo: the admin clicks Install, Kommo calls the integration's Redirect URI with a code, then onSave.
  function install() {
    demoCall('POST', '/kommo/install').then(function (fresh) {
      state = fresh;
      callback('onSave');
      callback('destroy');
      openSettingsModal();
    });
  }

  // Kommo: on disable, onSave then destroy, and the signed uninstall hook.
  function disable() {
    callback('onSave');
    demoCall('POST', '/kommo/uninstall').then(function (fresh) {
      state = fresh;
      closeModal();
    });
  }

  function renderAdvanced() {
    var area = el('div', { id: 'work-area-' + WIDGET_CODE, class: 'advanced-page' });
    main.appendChild(el('h1', { text: (langs.advanced && langs.advanced.title) || 'Wabridge' }));
    main.appendChild(area);
    if (!state.installed) area.appendChild(el('p', { text: 'Install Wabridge first (Settings · Integrations).' }));
    else callback('advancedSettings');
    if (state.sandboxNumber) {
      var n = state.sandboxNumber;
      main.appendChild(
        el('div', { class: 'demo-controls', 'data-testid': 'sandbox-number' }, [
          el('p', { text: 'Demo sandbox WhatsApp number ' + n.displayPhoneNumber + ' — connect it in the widget above with:' }),
          el('p', {}, ['Phone-number id: ', el('code', { 'data-testid': 'sandbox-phone-number-id', text: n.phoneNumberId })]),
          el('p', {}, ['WABA id: ', el('code', { 'data-testid': 'sandbox-waba-id', text: n.wabaId })]),
          el('p', {}, ['Access token: ', el('code', { 'data-testid': 'sandbox-token', text: n.accessToken })]),
        ]),
      );
    }
  }

  // Kommo's own chat (the inbox): Wabridge's channel imports WhatsApp here; a manager answers here.
  var inboxTimer = null;
  var TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };
  function renderInbox() {
    main.appendChild(el('h1', { text: 'Chats' }));
    var list = el('div', { class: 'inbox', 'data-testid': 'kommo-inbox' });
    main.appendChild(list);
    var drafts = {};
    function draw(data) {
      Array.prototype.forEach.call(list.querySelectorAll('textarea'), function (t) {
        drafts[t.getAttribute('data-conversation')] = t.value;
      });
      list.innerHTML = '';
      if (!data.chats.length)
        list.appendChild(
          el('p', {
            class: 'card-widgets__hint',
            text: 'No chats yet. With Wabridge installed and a WhatsApp number connected, a customer who writes shows up here.',
          }),
        );
      data.chats.forEach(function (chat) {
        var box = el('section', { class: 'inbox__chat', 'data-testid': 'inbox-chat' }, [
          el('h2', { text: chat.name + ' · ' + chat.phone + (chat.contactId ? '' : ' (incoming lead)') }),
        ]);
        chat.messages.forEach(function (m) {
          box.appendChild(
            el('div', { class: 'inbox__msg inbox__msg--' + m.direction, 'data-testid': 'inbox-message', 'data-status': m.status }, [
              el('span', { text: m.text }),
              m.direction === 'out'
                ? el('span', {
                    class: 'inbox__tick inbox__tick--' + m.status,
                    title: m.error || m.status,
                    text: ' ' + TICKS[m.status] + (m.error ? ' ' + m.error : ''),
                  })
                : el('span', {}),
            ]),
          );
        });
        var input = el('textarea', {
          'data-conversation': chat.conversationId,
          'data-testid': 'inbox-input',
          rows: '2',
          placeholder: 'Answer in Kommo’s chat',
        });
        input.value = drafts[chat.conversationId] || '';
        box.appendChild(input);
        box.appendChild(
          el('button', {
            type: 'button',
            class: 'kommo-button',
            'data-testid': 'inbox-send',
            text: 'Send',
            onclick: function () {
              var text = input.value.trim();
              if (!text) return;
              input.value = '';
              drafts[chat.conversationId] = '';
              demoCall('POST', '/kommo/inbox/answer', { conversationId: chat.conversationId, text: text, userId: currentUserId }).then(refresh);
            },
          }),
        );
        list.appendChild(box);
      });
    }
    function refresh() {
      return demoCall('GET', '/kommo/inbox').then(draw);
    }
    refresh();
    inboxTimer = setInterval(refresh, 1000);
  }

  function showArea() {
    if (inboxTimer) clearInterval(inboxTimer);
    inboxTimer = null;
    var key = (window.location.hash || '#lead').slice(1);
    var area = AREAS[key] || 'lcard';
    callback('destroy');
    currentArea = area;
    main.innerHTML = '';
    window.APP.data.current_card = null;
    Array.prototype.forEach.call(document.querySelectorAll('.kommo-nav a'), function (a) {
      a.classList.toggle('is-active', a.getAttribute('data-area') === area);
    });
    if (area === 'lcard') renderCard('lead');
    else if (area === 'ccard') renderCard('contact');
    else if (area === 'llist') renderList('leads');
    else if (area === 'clist') renderList('contacts');
    else if (area === 'settings') renderSettingsPage();
    else if (area === 'inbox') renderInbox();
    else renderAdvanced();
  }

  function setupUsers() {
    var select = document.getElementById('kommo-user');
    state.users.forEach(function (u) {
      select.appendChild(el('option', { value: String(u.id), text: u.name + (u.isAdmin ? ' (admin)' : '') }));
    });
    currentUserId = state.users[0].id;
    select.onchange = function () {
      currentUserId = Number(select.value);
      showArea();
    };
  }

  function setupLanguage() {
    var select = document.getElementById('kommo-lang');
    select.value = language;
    document.documentElement.lang = language;
    select.onchange = function () {
      var params = new URLSearchParams(window.location.search);
      params.set('lang', select.value);
      window.location.search = params.toString();
    };
  }

  // The account's Kommo plan is the host's business; the loader reports it with each session.
  function setupPlan() {
    var select = document.getElementById('kommo-plan');
    select.value = state.account.tariffName;
    select.onchange = function () {
      state.account.tariffName = select.value;
      if (!modal.hidden) {
        callback('destroy');
        openSettingsModal();
      } else {
        showArea();
      }
    };
  }

  // Kommo's light or dark theme (`?theme=dark` opens the demo dark): the loader reads it from the page.
  function setupTheme() {
    var select = document.getElementById('kommo-theme');
    var apply = function (theme) {
      document.documentElement.classList.toggle('kommo-dark', theme === 'dark');
      select.value = theme;
    };
    apply(new URLSearchParams(window.location.search).get('theme') === 'dark' ? 'dark' : 'light');
    select.onchange = function () {
      apply(select.value);
      if (!modal.hidden) {
        callback('destroy');
        openSettingsModal();
      } else {
        showArea();
      }
    };
  }

  document.getElementById('kommo-modal-close').onclick = closeModal;

  Promise.all([
    demoCall('GET', '/kommo/state'),
    fetch('/demo/i18n/' + language + '.json').then(function (r) {
      return r.json();
    }),
  ]).then(function (loaded) {
    state = loaded[0];
    langs = loaded[1];
    setupUsers();
    setupPlan();
    setupLanguage();
    setupTheme();
    window.requirejs(['/widget/script.js'], function (Widget) {
      widget = new Widget();
      Object.keys(helpers).forEach(function (k) {
        widget[k] = helpers[k];
      });
      widget.langs = langs;
      window.addEventListener('hashchange', showArea);
      showArea();
    });
  });
})();
