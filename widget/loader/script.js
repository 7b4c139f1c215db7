/*
 * Wabridge loader for Kommo (script.js in the widget archive).
 *
 * It is the only code that touches Kommo: it maps Kommo's widget callbacks to the Wabridge app,
 * which runs in an iframe served by the Wabridge backend. It gets a session with Kommo's one-time
 * token ($authorizedAjax), hands the session and the card context to the iframe by postMessage
 * (exact origin checks both ways), refreshes the session before it expires, and cleans up in destroy.
 * Kept small and readable on purpose: the Kommo marketplace reviews this file as written.
 */
define([], function () {
  'use strict';

  // Written in when the archive is packed (scripts/pack-widget.ts) or served (the demo).
  var APP_ORIGIN = '__WABRIDGE_ORIGIN__';
  var REFRESH_BEFORE_MS = 60 * 1000;
  var CARD_AREAS = { lcard: 'leads', ccard: 'contacts', comcard: 'companies' };

  function kommo() {
    return window.APP || window.AMOCRM;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function constant(name) {
    var app = kommo();
    try {
      return app && typeof app.constant === 'function' ? app.constant(name) : undefined;
    } catch {
      // Kommo throws for unknown constants.
      return undefined;
    }
  }

  function toElement(target) {
    if (!target) return null;
    if (target.jquery) return target[0] || null;
    return target.nodeType === 1 ? target : null;
  }

  /** Kommo's theme where the iframe goes: dark when the first opaque background up from it is (navy, #153043). */
  function hostTheme(container) {
    for (var node = container; node && node.nodeType === 1; node = node.parentElement) {
      var colour = window.getComputedStyle(node).backgroundColor || '';
      var hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
      var rgb = hex
        ? [null, parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)]
        : /rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)/.exec(colour);
      if (rgb && (rgb[4] === undefined || Number(rgb[4]) > 0.5)) {
        var luminance = (0.2126 * rgb[1] + 0.7152 * rgb[2] + 0.0722 * rgb[3]) / 255;
        return luminance < 0.5 ? 'dark' : 'light';
      }
    }
    return 'light';
  }

  function normalisePhones(phones) {
    return (phones || [])
      .map(function (p) {
        return typeof p === 'string' ? p : p && (p.value || p.phone);
      })
      .filter(Boolean)
      .map(String);
  }

  function paidTillIso(value) {
    if (value === undefined || value === null || value === '') return undefined;
    var date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    return isNaN(date.getTime()) ? undefined : date.toISOString();
  }

  // Sessions being asked for, by widget: asks by the same Kommo user while one is on its way share it.
  var pendingSessions = new WeakMap();
  // The last session got, by widget: later cards of the tab take it while it has a while to go.
  var heldSessions = new WeakMap();

  /** The Kommo account and user the page shows now (Kommo's token is made for them). */
  function currentUserId(widget) {
    var user = constant('user') || {};
    var system = widget.system() || {};
    return (constant('account') || {}).id + ':' + (user.id || system.amouser_id || '');
  }

  /** The held session or (`fresh`, 401) a new exchange; one for `card` (phones) brings its chat to `onChat` (decision 040). */
  function requestSession(widget, fresh, card, onChat) {
    var user = currentUserId(widget);
    var body = sessionBody();
    var held = heldSessions.get(widget);
    // Same user, same Kommo plan reported (a new plan is reported at once).
    if (!fresh && held && held.user === user && held.body === body && new Date(held.session.expiresAt) - Date.now() > 2 * REFRESH_BEFORE_MS) {
      return Promise.resolve(held.session);
    }
    var pending = pendingSessions.get(widget);
    if (pending && pending.user === user) return pending.promise;
    var sent = card ? JSON.stringify(Object.assign(JSON.parse(body), { card: { phones: card } })) : body;
    var entry = {
      user: user,
      promise: exchangeSession(widget, sent).then(function (session) {
        if (card) onChat((session && session.cardChat) || null);
        if (session) delete session.cardChat;
        return session;
      }),
    };
    pendingSessions.set(widget, entry);
    var settled = function () {
      if (pendingSessions.get(widget) === entry) pendingSessions.delete(widget);
    };
    entry.promise.then(
      function (session) {
        settled();
        heldSessions.set(widget, { user: user, body: body, session: session });
      },
      function () {
        settled();
        var current = heldSessions.get(widget);
        if (current && current.user === user) heldSessions.delete(widget);
      },
    );
    return entry.promise;
  }

  function forgetSession(widget, token) {
    var held = heldSessions.get(widget);
    if (held && held.session.token === token) heldSessions.delete(widget);
  }

  /** What an exchange reports: the Kommo plan the page shows (SPEC §3). */
  function sessionBody() {
    var account = constant('account') || {};
    var body = {};
    if (account.tariffName) {
      body.kommoPlan = { name: String(account.tariffName) };
      var paidTill = paidTillIso(account.paid_till);
      if (paidTill) body.kommoPlan.paidTill = paidTill;
    }
    return JSON.stringify(body);
  }

  function exchangeSession(widget, body) {
    return Promise.resolve(
      widget.$authorizedAjax({
        url: APP_ORIGIN + '/api/v1/session',
        type: 'POST',
        method: 'POST',
        contentType: 'application/json',
        dataType: 'json',
        data: body,
      }),
    );
  }

  /**
   * Watches for customer messages while the agent is elsewhere in Kommo: listens to the live stream
   * and shows a small alert with the unread count. One per page; it survives area changes.
   */
  function Watcher(widget) {
    this.widget = widget;
    this.token = null;
    this.total = 0;
    this.stopped = false;
    this.box = null;
  }

  Watcher.prototype.start = function () {
    var self = this;
    if (this.running || typeof fetch !== 'function' || typeof TextDecoder === 'undefined') return;
    this.running = true;
    var retry = function () {
      if (!self.stopped) setTimeout(loop, 5000);
    };
    var loop = function () {
      requestSession(self.widget)
        .then(function (session) {
          self.token = session.token;
          return self.refresh().then(function () {
            return self.listen();
          });
        })
        .then(retry, function (error) {
          // Not installed, disabled user, withdrawn consent: nothing to watch.
          if (error && (error.status === 403 || error.status === 401)) self.stopped = true;
          retry();
        });
    };
    // Kommo renders a card before it inits the widget: the card's sign-in (with its chat) goes first.
    setTimeout(loop, 1000);
  };

  Watcher.prototype.get = function (path) {
    var self = this;
    var token = this.token;
    return fetch(APP_ORIGIN + path, { headers: { Authorization: 'Bearer ' + token } }).then(function (response) {
      if (response.status === 401 || response.status === 403) forgetSession(self.widget, token);
      return response;
    });
  };

  Watcher.prototype.listen = function () {
    var self = this;
    return this.get('/api/v1/events').then(function (response) {
      if (!response.ok || !response.body) return undefined;
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      var read = function () {
        return reader.read().then(function (chunk) {
          if (chunk.done || self.stopped) return undefined;
          buffer += decoder.decode(chunk.value, { stream: true });
          var end = buffer.lastIndexOf('\n\n');
          if (end === -1) return read();
          if (buffer.slice(0, end).indexOf('event: message.created') !== -1) self.refresh();
          buffer = buffer.slice(end + 2);
          return read();
        });
      };
      return read();
    });
  };

  Watcher.prototype.refresh = function () {
    var self = this;
    return this.get('/api/v1/unread')
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (unread) {
        if (!unread) return;
        if (unread.total > self.total && unread.latest) self.alert(unread);
        self.total = unread.total;
        if (!unread.total) self.hide();
      });
  };

  /** "Maria Silva · 2 unread" in Kommo's language (`loader.unread.<plural>` of the widget's i18n), else English. */
  function unreadText(widget, who, total) {
    var lang = kommo() && kommo().lang_id ? String(kommo().lang_id) : 'en';
    var strings = typeof widget.i18n === 'function' ? widget.i18n('loader') : null;
    var forms = (strings && strings.unread) || {};
    var category = 'other';
    try {
      category = new Intl.PluralRules(lang).select(total);
    } catch {
      // An unknown language tag: the "other" form.
    }
    var pattern = forms[category] || forms.other || '{name} · {count} unread';
    return pattern
      .replace('{name}', function () {
        return who;
      })
      .replace('{count}', String(total));
  }

  /** How long the unread alert stays on screen. */
  var ALERT_MS = 8000;

  Watcher.prototype.alert = function (unread) {
    var who = unread.latest.customerName || '+' + unread.latest.waId;
    var text = unreadText(this.widget, who, unread.total);
    var app = kommo();
    if (app && app.notifications && typeof app.notifications.show_message === 'function') {
      // Kommo renders the popup's text as HTML; the customer chose their own name.
      app.notifications.show_message({ header: 'WhatsApp', text: escapeHtml(text), date: Math.floor(Date.now() / 1000) });
    }
    if (!this.box) {
      this.box = document.createElement('div');
      this.box.className = 'wabridge-alert';
      this.box.setAttribute('role', 'status');
      this.box.style.cssText =
        'position:fixed;right:16px;bottom:16px;z-index:1001;background:#1fa855;color:#fff;padding:10px 14px;border-radius:6px;font:13px/1.4 sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer;';
      this.box.onclick = this.hide.bind(this);
      document.body.appendChild(this.box);
    }
    this.box.textContent = 'WhatsApp: ' + text;
    // A toast, not a fixture: it goes by itself, so it never covers the page (the chat's Send
    // button sits at the bottom right of a card) for longer than it takes to read.
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(this.hide.bind(this), ALERT_MS);
  };

  Watcher.prototype.hide = function () {
    clearTimeout(this.hideTimer);
    if (this.box && this.box.parentNode) this.box.parentNode.removeChild(this.box);
    this.box = null;
  };

  /** One iframe in one place in Kommo, with its own session and message channel. */
  function Frame(widget, area, container, extra) {
    this.widget = widget;
    this.area = area;
    this.extra = extra || {};
    this.session = null;
    this.timer = null;
    this.destroyed = false;
    this.onMessage = this.onMessage.bind(this);

    var lang = kommo() && kommo().lang_id ? String(kommo().lang_id) : 'en';
    this.iframe = document.createElement('iframe');
    this.iframe.src =
      APP_ORIGIN +
      '/widget/app.html?lang=' +
      encodeURIComponent(lang) +
      '&theme=' +
      hostTheme(container) +
      '#host=' +
      encodeURIComponent(window.location.origin) +
      '&area=' +
      encodeURIComponent(area);
    this.iframe.title = 'Wabridge';
    this.iframe.className = 'wabridge-frame';
    this.iframe.setAttribute('data-wabridge-area', area);
    this.iframe.style.cssText = 'width:100%;height:160px;border:0;display:block;';
    container.appendChild(this.iframe);
    window.addEventListener('message', this.onMessage);
    // The session and the context are asked for while the iframe loads: the app finds them waiting.
    this.opening = this.open();
  }

  Frame.prototype.open = function (fresh) {
    var self = this;
    // A card's sign-in brings the card's chat: the context comes first.
    var opening = this.context().then(function (context) {
      var chat;
      var card =
        context.area === 'card'
          ? [].concat.apply(
              [],
              context.contacts.map(function (c) {
                return c.phones;
              }),
            )
          : null;
      return self
        .openSession(fresh, card, function (c) {
          chat = c;
        })
        .then(function (session) {
          return [session, context, chat];
        });
    });
    opening.catch(function () {}); // reported to the app once it is ready (start)
    return opening;
  };

  Frame.prototype.post = function (message) {
    if (this.iframe.contentWindow) this.iframe.contentWindow.postMessage(message, APP_ORIGIN);
  };

  Frame.prototype.onMessage = function (event) {
    if (event.origin !== APP_ORIGIN || event.source !== this.iframe.contentWindow) return;
    var data = event.data || {};
    if (data.type === 'wabridge:ready') this.start();
    else if (data.type === 'wabridge:refresh-session') this.refresh();
    else if (data.type === 'wabridge:resize' && typeof data.height === 'number') {
      this.iframe.style.height = Math.max(60, Math.min(5000, Math.round(data.height))) + 'px';
    }
  };

  Frame.prototype.start = function () {
    var self = this;
    // The first ready takes what was opened with the iframe; a reloaded app opens afresh.
    var opening = this.opening || this.open(true);
    this.opening = null;
    opening.then(
      function (results) {
        if (self.destroyed) return;
        var message = { type: 'wabridge:context', session: results[0], context: results[1] };
        if (results[2]) message.cardChat = results[2];
        self.post(message);
      },
      function (error) {
        self.fail(error);
      },
    );
  };

  Frame.prototype.refresh = function () {
    var self = this;
    this.openSession(true).then(
      function (session) {
        if (!self.destroyed) self.post({ type: 'wabridge:session', session: session });
      },
      function (error) {
        self.fail(error);
      },
    );
  };

  Frame.prototype.fail = function (error) {
    if (this.destroyed) return;
    var body = error && (error.responseJSON || error.body);
    var known = body && body.error;
    this.post({
      type: 'wabridge:session-error',
      error: known
        ? { code: String(known.code), message: String(known.message) }
        : { code: 'unreachable', message: 'The Wabridge service could not be reached.' },
    });
  };

  /** The session (held, or exchanged anew when `fresh`); schedules the next refresh. */
  Frame.prototype.openSession = function (fresh, card, onChat) {
    var self = this;
    return requestSession(this.widget, fresh, card, onChat).then(function (session) {
      self.session = session;
      clearTimeout(self.timer);
      if (self.destroyed) return session;
      var wait = new Date(session.expiresAt).getTime() - Date.now() - REFRESH_BEFORE_MS;
      self.timer = setTimeout(
        function () {
          self.refresh();
        },
        Math.max(5000, wait),
      );
      return session;
    });
  };

  /** Where the widget is shown: area, card, the card's contacts and phones, user, language, plan. */
  Frame.prototype.context = function () {
    var widget = this.widget;
    var system = widget.system() || {};
    var app = kommo() || {};
    var user = constant('user') || {};
    var account = constant('account') || {};
    var entity = CARD_AREAS[system.area] || null;
    var card = app.data && app.data.current_card;
    var entityId = entity && card && card.id ? Number(card.id) : null;
    var contacts =
      entity && typeof widget.get_current_card_contacts_data === 'function'
        ? Promise.resolve(widget.get_current_card_contacts_data()).catch(function () {
            return [];
          })
        : Promise.resolve([]);
    var extra = this.extra;
    return contacts.then(function (list) {
      return {
        area: extra.area || 'card',
        entity: entity,
        entityId: entityId,
        contacts: (list || []).map(function (c) {
          return { id: Number(c.id), name: String(c.name || ''), phones: normalisePhones(c.phones) };
        }),
        selected: extra.selected || [],
        user: { id: Number(user.id || system.amouser_id || 0), name: String(user.name || '') },
        language: String(app.lang_id || 'en'),
        kommoPlan: account.tariffName ? String(account.tariffName) : null,
      };
    });
  };

  Frame.prototype.destroy = function () {
    this.destroyed = true;
    clearTimeout(this.timer);
    window.removeEventListener('message', this.onMessage);
    if (this.iframe.parentNode) this.iframe.parentNode.removeChild(this.iframe);
  };

  /**
   * Kommo's digital-pipeline form has one setting, `automation`: the id of one of the account's
   * automations, picked from a list by name in place of the text field (SPEC §7).
   */
  function fillDpSettings(widget) {
    var inputs = document.querySelectorAll('input[name="automation"]');
    var input = inputs[inputs.length - 1];
    if (!input || input.getAttribute('data-wabridge-dp')) return;
    input.setAttribute('data-wabridge-dp', '1');
    var strings = (typeof widget.i18n === 'function' && widget.i18n('dp')) || {};
    var select = document.createElement('select');
    select.className = 'wabridge-dp-automation';
    select.setAttribute('aria-label', strings.automation || 'Wabridge automation');
    var hint = document.createElement('p');
    hint.className = 'wabridge-dp-hint';
    var option = function (value, text) {
      var o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      select.appendChild(o);
    };
    option('', strings.choose || 'Choose an automation');
    input.style.display = 'none';
    input.parentNode.insertBefore(select, input.nextSibling);
    input.parentNode.insertBefore(hint, select.nextSibling);
    select.onchange = function () {
      input.value = select.value;
      // Kommo enables its Save button on the field's change.
      input.dispatchEvent(new Event('change', { bubbles: true }));
    };
    requestSession(widget)
      .then(function (session) {
        return fetch(APP_ORIGIN + '/api/v1/automations', { headers: { Authorization: 'Bearer ' + session.token } });
      })
      .then(function (response) {
        if (!response.ok) throw new Error('automations ' + response.status);
        return response.json();
      })
      .then(function (list) {
        (list.automations || []).forEach(function (a) {
          option(String(a.id), String(a.name) + ' · ' + String(a.template));
        });
        select.value = input.value;
        if (!(list.automations || []).length) hint.textContent = strings.none || '';
      })
      .catch(function () {
        hint.textContent = strings.unavailable || '';
      });
  }

  /** The Salesbot step's exits: how "Send a WhatsApp template" ended (the backend continues the bot with one of them). */
  var SALESBOT_EXITS = ['sent', 'failed', 'opted_out'];

  /**
   * The bot steps of our "Send a WhatsApp template" block (SPEC §5, decision 027): a `widget_request`
   * with the block's settings (bot variables filled in by Kommo) and the card's ids, a wait for
   * Kommo's continue, then one exit per status.
   */
  function salesbotSteps(params) {
    var p = params || {};
    var text = function (v) {
      return v === undefined || v === null ? '' : String(v);
    };
    return [
      {
        question: [
          {
            handler: 'widget_request',
            params: {
              url: APP_ORIGIN + '/kommo/salesbot',
              data: {
                template: text(p.template).trim(),
                language: text(p.language).trim() || 'en_US',
                parameters: text(p.parameters),
                number_id: text(p.number_id).trim(),
                contact_id: '{{contact.id}}',
                lead_id: '{{lead.id}}',
              },
            },
          },
          { handler: 'goto', params: { type: 'question', step: 1 } },
        ],
      },
      {
        question: SALESBOT_EXITS.map(function (status) {
          return {
            handler: 'conditions',
            params: {
              logic: 'and',
              conditions: [{ term1: '{{json.status}}', term2: status, operation: '=' }],
              result: [{ handler: 'exits', params: { value: status } }],
            },
          };
        }),
      },
    ];
  }

  return function WabridgeWidget() {
    var self = this;
    var frames = [];
    var overlay = null;
    var watcher = new Watcher(self);

    function mount(area, container, extra) {
      if (!container) return null;
      var frame = new Frame(self, area, container, extra);
      frames.push(frame);
      return frame;
    }

    function destroyAll() {
      frames.forEach(function (f) {
        f.destroy();
      });
      frames = [];
      if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
      overlay = null;
    }

    /** The bulk action on a list: a modal over the list with the selected rows. */
    function openListModal(type) {
      destroyAll();
      var selection = typeof self.list_selected === 'function' ? self.list_selected() : {};
      var selected = (selection && selection.selected) || [];
      overlay = document.createElement('div');
      overlay.className = 'wabridge-modal';
      overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:1000;';
      var box = document.createElement('div');
      // The box takes the page's theme, and the iframe inside it takes the box's.
      var boxBackground = hostTheme(document.body) === 'dark' ? '#153043' : '#fff';
      box.style.cssText = 'background:' + boxBackground + ';width:min(720px,92vw);max-height:90vh;overflow:auto;border-radius:4px;padding:8px;';
      var close = document.createElement('button');
      close.type = 'button';
      close.textContent = '×';
      close.setAttribute('aria-label', 'Close');
      close.style.cssText = 'float:right;border:0;background:none;font-size:20px;cursor:pointer;';
      close.onclick = destroyAll;
      box.appendChild(close);
      overlay.appendChild(box);
      document.body.appendChild(overlay);
      mount('list', box, {
        area: 'list',
        selected: selected.map(function (row) {
          return { id: Number(row.id), type: String(row.type || type) };
        }),
      });
    }

    this.callbacks = {
      render: function () {
        var system = self.system() || {};
        if (CARD_AREAS[system.area]) {
          destroyAll();
          self.render_template({
            caption: { class_name: 'wabridge-caption' },
            body: '',
            render: '<div class="wabridge-panel" id="wabridge-panel-' + system.area + '"></div>',
          });
          mount('card', document.getElementById('wabridge-panel-' + system.area));
        }
        return true;
      },
      init: function () {
        watcher.start();
        return true;
      },
      bind_actions: function () {
        return true;
      },
      settings: function (modalBody) {
        destroyAll();
        var container = toElement(modalBody) || document.querySelector('.widget_settings_block');
        mount('settings', container, { area: 'settings' });
        return true;
      },
      // Kommo's `team` setting (one text per CRM user) is mirrored on our side as who may use Wabridge.
      onSave: function () {
        var team = (self.get_settings() || {}).team;
        if (typeof team === 'string') {
          try {
            team = JSON.parse(team);
          } catch {
            team = null;
          }
        }
        if (!team || typeof team !== 'object') return true;
        return Promise.resolve(
          self.$authorizedAjax({
            url: APP_ORIGIN + '/api/v1/team/kommo-setting',
            type: 'PUT',
            method: 'PUT',
            contentType: 'application/json',
            dataType: 'json',
            data: JSON.stringify({ team: team }),
          }),
        ).then(
          function () {
            return true;
          },
          function () {
            // Saving Kommo's settings must not fail because our backend did; the team list can be saved again.
            return true;
          },
        );
      },
      destroy: function () {
        destroyAll();
      },
      salesbotDesignerSettings: function () {
        var strings = (typeof self.i18n === 'function' && self.i18n('salesbot')) || {};
        var exits = strings.exits || {};
        return {
          exits: SALESBOT_EXITS.map(function (code) {
            return { code: code, title: exits[code] || code };
          }),
        };
      },
      // Kommo stores what this returns (a JSON string of bot steps) as the block's program.
      onSalesbotDesignerSave: function (_handlerCode, params) {
        return JSON.stringify(salesbotSteps(params));
      },
      dpSettings: function () {
        fillDpSettings(self);
        return true;
      },
      advancedSettings: function () {
        destroyAll();
        var code = (self.get_settings() || {}).widget_code;
        mount('advanced_settings', document.getElementById('work-area-' + code), { area: 'advanced_settings' });
        return true;
      },
      leads: {
        selected: function () {
          openListModal('leads');
        },
      },
      contacts: {
        selected: function () {
          openListModal('contacts');
        },
      },
    };
    return this;
  };
});
