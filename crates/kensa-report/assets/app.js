// Kensa analyst workspace. Plain JavaScript over the JSON API (/v1/...), signed in with the
// session cookie; every change carries the session's CSRF token. Views: the queue (#/), a
// subject (#/s/ID), cases (#/cases) and a case (#/c/ID). English and Japanese throughout.
//
// The same script is the offline report.html: there the page embeds the results
// (<script id="kensa-report">) and `api()` answers the same paths from them, read-only.
'use strict';

const REPORT = (() => {
  const e = document.getElementById('kensa-report');
  return e ? JSON.parse(e.textContent) : null;
})();

const STR = {
  en: {
    queue: 'Queue', cases: 'Cases', signout: 'Sign out', switchTo: '日本語', loading: 'Loading…',
    tier: 'Tier', any: 'Any', flag: 'Red flag', status: 'Due diligence', open: 'Steps missing',
    complete: 'Complete', assignee: 'Assignee', search: 'Search (name, id, e-mail, phone, IP, wallet)', source: 'Source',
    apply: 'Apply', score: 'Score', name: 'Name', subject: 'Subject', reason: 'Main reason',
    flags: 'Flags', next: 'Next', prev: 'Previous', none: 'Nothing matches these filters.',
    low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical',
    why: 'Why this score', points: 'pts', evidence: 'Evidence', thresholds: 'Thresholds',
    records: 'Records', base: 'Base score (no flags)',
    activity: 'Activity by weekday and hour', activityTz: 'in {tz}; outlined: required hours',
    logins: 'Logins by country and network', graph: 'Linked accounts', payouts: 'Payout destinations',
    profile: 'Profile as each source states it', messages: 'Messages', docs: 'Identity documents and interviews',
    dd: 'Due diligence', ddRequired: 'required', ddOptional: 'recorded', record: 'Record result',
    result: 'Result', pass: 'Pass', fail: 'Fail', inconclusive: 'Inconclusive', notes: 'Notes',
    attach: 'Attachments', save: 'Save', saved: 'Saved.',
    decision: 'Decision', approve: 'Approve', reject: 'Reject', escalate: 'Escalate', hold: 'Hold',
    override: 'Override missing steps (lead; reason recorded)', decide: 'Record decision',
    decisions: 'Decisions', caseOf: 'Case', noCase: 'Not in a case.', openCase: 'Open a case',
    caseTitle: 'Case title', withLinked: 'Add linked subjects', create: 'Create',
    caseStatus: 'Status', due: 'Due', tags: 'Tags (comma-separated)', caseNotes: 'Notes', addNote: 'Add note',
    timeline: 'Timeline', subjects: 'Subjects', reopenReason: 'Reason (to reopen)',
    st_new: 'New', st_investigating: 'Investigating', st_waiting_dd: 'Waiting on due diligence',
    st_escalated: 'Escalated', st_closed_cleared: 'Closed — cleared', st_closed_confirmed: 'Closed — confirmed',
    nodata: 'No data.', allCases: 'All open cases', kind: 'Kind', at: 'Time', by: 'By',
    field: 'Field', source: 'Source', differs: 'differs between sources', rank: 'Rank',
    amount: 'Amount', destination: 'Destination', network: 'Network', country: 'Country',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    missingSteps: 'Approval is blocked until these steps pass:', update: 'Update',
    ev_created: 'opened the case', ev_updated: 'changed the case', ev_note: 'added a note',
    ev_check: 'recorded a check', ev_decision: 'recorded a decision',
    shown: '{n} shown', page: 'Page {n}', hits: 'Matching subjects',
    sort: 'Sort by', sort_score: 'Score, highest first', sort_score_asc: 'Score, lowest first', sort_flags: 'Most red flags',
    sort_name: 'Name (A–Z)', sort_id: 'Subject id', sortBy: 'Sort by {x}',
    loginMap: 'Logins on a map', mapNote: 'shaded: countries logged in from; dots by network class',
    reportNoRecords: 'This report embeds the records of flagged subjects of tier high and critical (and of the first {n} others); open this subject in the workspace (kensa serve) for its records and pictures.',
    reportSomeRecords: 'The pictures and tables below use the latest {n} of the subject’s {m} records.',
    reportOf: 'Report · {n} subjects listed of {m}',
    net: { tor: 'Tor', vpn: 'VPN', proxy: 'proxy', relay: 'relay', hosting: 'hosting', mobile: 'mobile', corporate: 'corporate', residential: 'residential', isp: 'ISP', unknown: 'unknown' },
  },
  ja: {
    queue: '対応キュー', cases: 'ケース', signout: 'サインアウト', switchTo: 'English', loading: '読み込み中…',
    tier: 'リスク区分', any: 'すべて', flag: 'レッドフラグ', status: 'デューデリジェンス', open: '未完了の手順あり',
    complete: '完了', assignee: '担当者', search: '検索（氏名・ID・メール・電話・IP・ウォレット）', source: '情報源',
    apply: '絞り込む', score: 'スコア', name: '氏名', subject: '対象者', reason: '主な理由',
    flags: 'フラグ', next: '次へ', prev: '前へ', none: 'この条件に当てはまる対象者はいません。',
    low: '低', medium: '中', high: '高', critical: '重大',
    why: 'このスコアの理由', points: '点', evidence: '根拠', thresholds: '判定基準',
    records: '記録', base: '基準スコア（フラグなし）',
    activity: '曜日・時間帯別の活動', activityTz: '{tz} の時刻。枠線は契約上の勤務時間',
    logins: '国・ネットワーク別のログイン', graph: '関連アカウント', payouts: '支払先の推移',
    profile: '情報源ごとのプロフィール', messages: 'メッセージ', docs: '本人確認書類と面接',
    dd: 'デューデリジェンス', ddRequired: '必須', ddOptional: '記録済み', record: '結果を記録',
    result: '結果', pass: '合格', fail: '不合格', inconclusive: '判断不能', notes: 'メモ',
    attach: '添付ファイル', save: '保存', saved: '保存しました。',
    decision: '判断', approve: '承認', reject: '却下', escalate: 'エスカレーション', hold: '保留',
    override: '未完了の手順を例外として承認（リーダーのみ。理由を記録）', decide: '判断を記録',
    decisions: '判断の履歴', caseOf: 'ケース', noCase: 'ケースに含まれていません。', openCase: 'ケースを作成',
    caseTitle: 'ケース名', withLinked: '関連する対象者も加える', create: '作成',
    caseStatus: '状態', due: '期限', tags: 'タグ（カンマ区切り）', caseNotes: 'メモ', addNote: 'メモを追加',
    timeline: '経過', subjects: '対象者', reopenReason: '再開の理由',
    st_new: '新規', st_investigating: '調査中', st_waiting_dd: 'デューデリジェンス待ち',
    st_escalated: 'エスカレーション済み', st_closed_cleared: '終了（問題なし）', st_closed_confirmed: '終了（該当と確認）',
    nodata: 'データがありません。', allCases: '未終了のケース', kind: '種類', at: '日時', by: '実施者',
    field: '項目', source: '情報源', differs: '情報源によって異なります', rank: '順位',
    amount: '金額', destination: '支払先', network: 'ネットワーク', country: '国',
    weekdays: ['月', '火', '水', '木', '金', '土', '日'],
    missingSteps: '次の手順が完了するまで承認できません：', update: '更新',
    ev_created: 'がケースを作成', ev_updated: 'がケースを変更', ev_note: 'がメモを追加',
    ev_check: 'が確認結果を記録', ev_decision: 'が判断を記録',
    shown: '{n} 件を表示', page: '{n} ページ目', hits: '該当する対象者',
    sort: '並べ替え', sort_score: 'スコアの高い順', sort_score_asc: 'スコアの低い順', sort_flags: 'レッドフラグの多い順',
    sort_name: '氏名順', sort_id: '対象者ID順', sortBy: '{x}で並べ替え',
    loginMap: '地図で見るログイン', mapNote: '色付きの国：ログイン元の国。点の色：ネットワークの種類',
    reportNoRecords: 'このレポートに記録が含まれるのは、フラグのある区分「高」「重大」の対象者（とその他の上位{n}件）だけです。この対象者の記録と図はワークスペース（kensa serve）で確認してください。',
    reportSomeRecords: '以下の図と表は、この対象者の記録 {m} 件のうち最新の {n} 件に基づいています。',
    reportOf: 'レポート · 全{m}件中{n}件を掲載',
    net: { tor: 'Tor', vpn: 'VPN', proxy: 'プロキシ', relay: 'リレー', hosting: 'ホスティング', mobile: 'モバイル回線', corporate: '企業回線', residential: '一般家庭回線', isp: 'ISP', unknown: '不明' },
  },
};

let lang = localStorage.getItem('kensa.lang') || ((navigator.language || '').startsWith('ja') ? 'ja' : 'en');
let session = null;
let catalog = null;
const charts = [];

function t(key, vars) {
  let s = (STR[lang] && STR[lang][key]) ?? STR.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, v);
  return s;
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'testid') e.setAttribute('data-testid', v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) {
    if (kid == null || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}

async function api(path, opts = {}) {
  if (REPORT) return reportApi(path, opts);
  const headers = Object.assign({}, opts.headers || {});
  if (opts.method && opts.method !== 'GET') headers['X-CSRF-Token'] = session?.csrf_token || '';
  let body = opts.body;
  if (opts.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(opts.json); }
  const res = await fetch(path, { method: opts.method || 'GET', headers, body, credentials: 'same-origin' });
  if (res.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) {
    const err = new Error(data?.error?.message || `${res.status}`);
    err.status = res.status; err.data = data;
    throw err;
  }
  return data;
}

// ------------------------------------------------------------------------------------------
// The offline report: the API's answers from the embedded results (same orders and filters as
// the server's /v1/subjects; the cursor is an offset).

const reportIndex = {};
function reportSubject(id) {
  if (!reportIndex.byId) reportIndex.byId = new Map(REPORT.subjects.map((r) => [r.subject_id, r]));
  return reportIndex.byId.get(id);
}
// Exact identifiers (e-mail, phone, IP, wallet, account...) of the subjects whose records are
// embedded, lower-cased → subject ids.
function reportIdentifiers() {
  if (reportIndex.idents) return reportIndex.idents;
  const m = new Map();
  const leaf = (v, id) => {
    if (typeof v === 'string' && v.length >= 5) {
      const k = v.toLowerCase();
      if (!m.has(k)) m.set(k, new Set());
      m.get(k).add(id);
    } else if (Array.isArray(v)) v.forEach((x) => leaf(x, id));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => leaf(x, id));
  };
  for (const [id, d] of Object.entries(REPORT.details)) {
    for (const r of d.records) {
      const x = r.record;
      for (const k of ['email', 'emails', 'phone', 'phones', 'ip', 'address', 'account_id', 'iban', 'account_number', 'crypto', 'wallet']) if (x[k] != null) leaf(x[k], id);
    }
  }
  return (reportIndex.idents = m);
}
const logOdds = (r) => r.flags.reduce((a, f) => a + (f.log_odds || 0), 0);
const distinctFlags = (r) => new Set(r.flags.map((f) => f.id)).size;
const byId = (a, b) => (a.subject_id < b.subject_id ? -1 : a.subject_id > b.subject_id ? 1 : 0);
const ORDERS = {
  score: (a, b) => b.score - a.score || logOdds(b) - logOdds(a) || byId(a, b),
  score_asc: (a, b) => a.score - b.score || logOdds(a) - logOdds(b) || byId(a, b),
  flags: (a, b) => distinctFlags(b) - distinctFlags(a) || b.score - a.score || byId(a, b),
  name: (a, b) => {
    const x = a.display_name?.toLowerCase(), y = b.display_name?.toLowerCase();
    if (x != null && y == null) return -1;
    if (x == null && y != null) return 1;
    return (x < y ? -1 : x > y ? 1 : 0) || byId(a, b);
  },
  id: byId,
};
function reportQueue(p) {
  const needle = (p.q || '').toLowerCase();
  const hits = needle ? reportIdentifiers().get(needle) : null;
  const missing = (r) => (r.due_diligence?.missing || []).length > 0;
  const xs = REPORT.subjects.filter((r) => (!p.tier || r.tier === p.tier)
    && (!p.flag || r.flags.some((f) => f.id === p.flag))
    && (!p.status || (p.status === 'open') === missing(r))
    && (!needle || hits?.has(r.subject_id) || r.subject_id.toLowerCase().includes(needle) || (r.display_name || '').toLowerCase().includes(needle)));
  xs.sort(ORDERS[p.sort || 'score'] || ORDERS.score);
  const off = Number(p.cursor || 0), lim = Number(p.limit || 50);
  return { items: xs.slice(off, off + lim), next_cursor: off + lim < xs.length ? String(off + lim) : null };
}
async function reportApi(path, opts) {
  if (opts.method && opts.method !== 'GET') throw Object.assign(new Error('This report is read-only.'), { status: 405 });
  const u = new URL(path, 'http://report.invalid/');
  const p = u.pathname;
  if (p === '/v1/session') return { name: '', role: 'report' };
  if (p === '/v1/catalog') return REPORT.catalog;
  if (p === '/v1/subjects') return reportQueue(Object.fromEntries(u.searchParams));
  const m = p.match(/^\/v1\/subjects\/([^/]+)(?:\/(records|graph))?$/);
  const r = m && reportSubject(decodeURIComponent(m[1]));
  if (!r) throw Object.assign(new Error('Not in this report.'), { status: 404 });
  const d = REPORT.details[r.subject_id];
  if (m[2] === 'records') return d ? d.records : [];
  if (m[2] === 'graph') return d?.graph || { subject_id: r.subject_id, nodes: [{ subject_id: r.subject_id, hops: 0, score: r.score, tier: r.tier }], edges: [] };
  return { subject_id: r.subject_id, result: r, due_diligence: r.due_diligence || null, case: null, decisions: d?.decisions || [], checks: [] };
}

function tierLabel(tier) { return el('span', { class: `tier tier-${tier}`, text: t(tier) }); }
function fmtScore(s) { return s == null ? '–' : (Math.round(s * 10) / 10).toFixed(1); }
function flagTitle(id) {
  const it = catalog?.flags.find((f) => f.id === id);
  return it ? it[lang] : id;
}
function stepTitle(id) {
  const it = catalog?.steps.find((f) => f.id === id);
  return it ? it[lang] : id;
}
function explain(f) { return (f.explanation && (f.explanation[lang] || f.explanation.en)) || ''; }
function firstSentence(s) {
  const m = s.match(/^.*?[.。](\s|$)/);
  return (m ? m[0] : s).trim();
}
function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

// Account numbers and document numbers are shown masked: the last four characters only.
const MASKED = new Set(['iban', 'account_number', 'number', 'mrz', 'password']);
function mask(v) {
  const s = String(v);
  return s.length <= 4 ? '••••' : '••••' + s.slice(-4);
}
function maskDeep(v, key) {
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, key));
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = maskDeep(x, k);
    return o;
  }
  if (key && MASKED.has(key) && v != null && v !== '') return mask(v);
  return v;
}
function short(v) {
  if (v == null) return '';
  if (typeof v === 'object') return JSON.stringify(maskDeep(v));
  return String(v);
}

function setTitle(s) { document.title = s ? `${s} — Kensa` : 'Kensa'; }
function clearCharts() { while (charts.length) { try { charts.pop().dispose(); } catch { /* gone */ } } }

function applyLang() {
  document.documentElement.lang = lang;
  document.getElementById('lang').textContent = t('switchTo');
  document.getElementById('lang').setAttribute('aria-label', lang === 'ja' ? 'Switch to English' : '日本語に切り替え');
  document.getElementById('nav-queue').textContent = t('queue');
  document.getElementById('nav-cases').textContent = t('cases');
  document.getElementById('signout').textContent = t('signout');
  if (REPORT) document.title = REPORT.meta.title;
  document.querySelector('.skip').textContent = lang === 'ja' ? '本文へ移動' : 'Skip to content';
}

// ------------------------------------------------------------------------------------------
// Queue

const queueState = { params: {}, cursors: [null], page: 0 };

async function viewQueue(main, query) {
  setTitle(t('queue'));
  const p = Object.fromEntries(new URLSearchParams(query));
  const tierSel = el('select', { name: 'tier', testid: 'queue-filter-tier', 'aria-label': t('tier') },
    el('option', { value: '', text: t('any') }),
    ...['critical', 'high', 'medium', 'low'].map((x) => el('option', { value: x, text: t(x), selected: p.tier === x })));
  const flagSel = el('select', { name: 'flag', 'aria-label': t('flag') }, el('option', { value: '', text: t('any') }),
    ...catalog.flags.filter((f) => f.id.startsWith('RF-')).map((f) => el('option', { value: f.id, text: `${f.id} — ${f[lang]}`.slice(0, 90), selected: p.flag === f.id })));
  const stSel = el('select', { name: 'status', 'aria-label': t('status') }, el('option', { value: '', text: t('any') }),
    el('option', { value: 'open', text: t('open'), selected: p.status === 'open' }),
    el('option', { value: 'complete', text: t('complete'), selected: p.status === 'complete' }));
  const assignee = el('input', { name: 'assignee', value: p.assignee || '', size: 12, 'aria-label': t('assignee') });
  const srcSel = el('select', { name: 'source', 'aria-label': t('source') }, el('option', { value: '', text: t('any') }),
    ...['freelance_platform', 'payment_platform', 'hr_system', 'resume', 'portfolio', 'social'].map((x) => el('option', { value: x, text: x, selected: p.source === x })));
  const SORTS = ['score', 'score_asc', 'flags', 'name', 'id'];
  const sortSel = el('select', { name: 'sort', testid: 'queue-sort', 'aria-label': t('sort') },
    ...SORTS.map((x) => el('option', { value: x === 'score' ? '' : x, text: t('sort_' + x), selected: (p.sort || 'score') === x })));
  const search = el('input', { name: 'q', type: 'search', value: p.q || '', size: 30, testid: 'queue-search', 'aria-label': t('search'), placeholder: t('search') });
  const form = el('form', { class: 'controls', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
    location.hash = '#/' + (q.toString() ? '?' + q : '');
  } },
  el('label', {}, t('tier'), tierSel), el('label', {}, t('flag'), flagSel), el('label', {}, t('status'), stSel),
  // A report has no cases (assignees) and no per-source profiles of every subject.
  REPORT ? null : el('label', {}, t('source'), srcSel), REPORT ? null : el('label', {}, t('assignee'), assignee), el('label', {}, t('search'), search),
  el('label', {}, t('sort'), sortSel),
  el('button', { type: 'submit', class: 'primary', text: t('apply') }));
  // Filters apply at once when a select changes.
  for (const s of [tierSel, flagSel, stSel, srcSel, sortSel]) s.addEventListener('change', () => form.requestSubmit());
  const table = el('table', { testid: 'queue', 'aria-label': t('queue') });
  const pager = el('div', { class: 'pager' });
  main.replaceChildren(el('h1', { text: t('queue') }), REPORT ? el('p', { class: 'kv', text: t('reportOf', { n: REPORT.subjects.length, m: REPORT.total }) }) : null, form, table, pager);

  const key = JSON.stringify(p);
  if (queueState.key !== key) { queueState.key = key; queueState.cursors = [null]; queueState.page = 0; }
  const q = new URLSearchParams(p);
  q.set('limit', '50');
  const cur = queueState.cursors[queueState.page];
  if (cur) q.set('cursor', cur);
  const page = await api('/v1/subjects?' + q);
  queueState.cursors[queueState.page + 1] = page.next_cursor;
  // Column headers that have an order sort by it (a second click on score reverses it).
  const cs = p.sort || 'score';
  const sortable = { score: cs === 'score' ? 'score_asc' : 'score', name: 'name', subject: 'id', flags: 'flags' };
  const ariaSort = { score: cs === 'score' ? 'descending' : cs === 'score_asc' ? 'ascending' : null, name: cs === 'name' ? 'ascending' : null, subject: cs === 'id' ? 'ascending' : null, flags: cs === 'flags' ? 'descending' : null };
  const head = el('tr', {}, ...['rank', 'score', 'tier', 'name', 'subject', 'reason', 'flags'].map((h) => el('th', { scope: 'col', 'aria-sort': ariaSort[h] || null },
    sortable[h] ? el('button', { type: 'button', class: 'sort', title: t('sortBy', { x: t(h) }), onclick: () => { sortSel.value = sortable[h] === 'score' ? '' : sortable[h]; form.requestSubmit(); } }, t(h)) : t(h))));
  table.replaceChildren(el('caption', { class: 'muted', text: `${t('hits')} · ${t('page', { n: queueState.page + 1 })}` }), el('thead', {}, head));
  const body = el('tbody');
  page.items.forEach((r, i) => {
    const top = [...r.flags].sort((a, b) => b.weight - a.weight)[0];
    const link = el('a', { href: `#/s/${encodeURIComponent(r.subject_id)}`, text: r.subject_id });
    body.append(el('tr', { class: 'row', testid: 'queue-row', 'data-subject-id': r.subject_id, onclick: (e) => { if (e.target.tagName !== 'A') location.hash = link.getAttribute('href'); } },
      el('td', { class: 'num', text: queueState.page * 50 + i + 1 }),
      el('td', { class: 'num', text: fmtScore(r.score) }),
      el('td', {}, tierLabel(r.tier)),
      el('td', { text: r.display_name || '' }),
      el('td', {}, link),
      el('td', { class: 'reason', text: top ? `${flagTitle(top.id)} — ${firstSentence(explain(top))}` : '' }),
      el('td', { class: 'num', text: r.flags.length })));
  });
  if (!page.items.length) body.append(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: t('none') })));
  table.append(body);
  const prev = el('button', { type: 'button', text: t('prev'), disabled: queueState.page === 0, onclick: () => { queueState.page--; route(); } });
  const next = el('button', { type: 'button', text: t('next'), disabled: !page.next_cursor, onclick: () => { queueState.page++; route(); } });
  pager.replaceChildren(prev, next, el('span', { class: 'muted', text: t('shown', { n: page.items.length }) }));
}

// ------------------------------------------------------------------------------------------
// Subject

function chartBox(testid, title, sub) {
  const div = el('div', { class: 'chart', testid, role: 'img', 'aria-label': title });
  return { card: el('section', { class: 'card' }, el('h3', { text: title }), sub ? el('div', { class: 'kv', text: sub }) : null, div), div };
}

function mkChart(div, option) {
  if (!window.echarts) { div.textContent = 'charts unavailable'; return null; }
  const c = window.echarts.init(div, null, { renderer: 'svg' });
  c.setOption(Object.assign({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' } }, option));
  charts.push(c);
  return c;
}

function localParts(iso, tz) {
  const d = new Date(iso);
  if (isNaN(d)) return null;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', hourCycle: 'h23', weekday: 'short' }).formatToParts(d);
    const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.find((x) => x.type === 'weekday').value);
    return { wd, hour: Number(parts.find((x) => x.type === 'hour').value) % 24 };
  } catch { return null; }
}

function activityChart(records, tz) {
  const title = t('activity');
  const box = chartBox('chart-activity-hours', title, t('activityTz', { tz }));
  const counts = new Map();
  let max = 0;
  for (const r of records) {
    if (!['activity', 'login', 'access'].includes(r.kind) && !(r.kind === 'message' && r.record.direction === 'from_subject')) continue;
    const lp = localParts(r.record.at, tz);
    if (!lp) continue;
    const k = `${lp.hour},${lp.wd}`;
    const n = (counts.get(k) || 0) + 1;
    counts.set(k, n); max = Math.max(max, n);
  }
  const data = [...counts].map(([k, n]) => { const [h, w] = k.split(',').map(Number); return [h, w, n]; });
  // Required hours (from the latest contract), drawn as outlined cells.
  const req = [...records].reverse().find((r) => r.kind === 'contract' && r.record.required_hours)?.record.required_hours;
  const reqCells = [];
  if (req) {
    const from = parseInt(req.from, 10), to = parseInt(req.to, 10);
    const days = (req.days || ['mon', 'tue', 'wed', 'thu', 'fri']).map((d) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(String(d).toLowerCase().slice(0, 3)));
    for (const w of days) for (let h = from; h !== to; h = (h + 1) % 24) reqCells.push([h, w, 0]);
  }
  return { box, option: {
    tooltip: { formatter: (p) => `${t('weekdays')[p.value[1]]} ${p.value[0]}:00 — ${p.value[2]}` },
    grid: { left: 40, right: 10, top: 10, bottom: 60 },
    xAxis: { type: 'category', data: [...Array(24).keys()].map(String), splitArea: { show: true } },
    yAxis: { type: 'category', data: t('weekdays'), inverse: true },
    visualMap: { min: 0, max: Math.max(1, max), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#f0f6ff', '#0550ae'] } },
    series: [
      { type: 'heatmap', data, label: { show: false } },
      { type: 'scatter', data: reqCells, symbol: 'rect', symbolSize: [18, 14], itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#bc4c00', borderWidth: 1.5 }, silent: true, z: 5 },
    ],
  } };
}

const CLASS_ORDER = ['tor', 'vpn', 'proxy', 'relay', 'hosting', 'mobile', 'corporate', 'residential'];
// One colour per network class in every picture.
const CLASS_COLOR = { tor: '#a40e26', vpn: '#bc4c00', proxy: '#9a6700', relay: '#8250df', hosting: '#57606a', mobile: '#0969da', corporate: '#1a7f37', residential: '#2da44e', isp: '#0550ae', unknown: '#8c959f' };
function netLabel(c) { return t('net')[c] || c; }
function netClass(info) {
  const cs = (info?.classes || []).map((c) => c.class);
  for (const c of CLASS_ORDER) if (cs.includes(c)) return c;
  return cs[0] || (info?.asn ? 'isp' : 'unknown');
}

function loginChart(records) {
  const box = chartBox('chart-logins', t('logins'));
  const logins = records.filter((r) => r.kind === 'login');
  const countries = [...new Set(logins.map((r) => r.ip_info?.country || '??'))].sort();
  const byClass = new Map();
  for (const r of logins) {
    const c = netClass(r.ip_info);
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c).push([r.record.at, r.ip_info?.country || '??', r.record.ip]);
  }
  return { box, option: {
    legend: { top: 0 },
    tooltip: { trigger: 'item', formatter: (p) => `${fmtTime(p.value[0])}<br>${regionName(p.value[1])} · ${p.seriesName}` },
    grid: { left: 10, right: 10, top: 30, bottom: 30, containLabel: true },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: countries, axisLabel: { formatter: regionName } },
    series: [...byClass].map(([c, d]) => ({ name: netLabel(c), type: 'scatter', data: d, symbolSize: 9, itemStyle: { color: CLASS_COLOR[c] } })),
  } };
}

// The world outlines and country centroids, loaded once (embedded in a report).
let world = null;
async function loadWorld() {
  if (world) return world;
  const e = document.getElementById('kensa-world');
  world = e ? JSON.parse(e.textContent) : await (await fetch('/assets/world.json', { credentials: 'same-origin' })).json();
  if (window.echarts) window.echarts.registerMap('world', world.geo);
  return world;
}
function regionName(code) {
  if (!/^[A-Z]{2}$/.test(code || '')) return code === '??' ? '?' : code;
  try { return new Intl.DisplayNames([lang], { type: 'region' }).of(code) || code; } catch { return code; }
}

function mapChart(records, w) {
  const box = chartBox('chart-login-map', t('loginMap'), t('mapNote'));
  const logins = records.filter((r) => r.kind === 'login' && r.ip_info?.country);
  const perCountry = new Map();
  const perClass = new Map();
  for (const r of logins) {
    const c = r.ip_info.country, k = netClass(r.ip_info);
    perCountry.set(c, (perCountry.get(c) || 0) + 1);
    if (!perClass.has(k)) perClass.set(k, new Map());
    perClass.get(k).set(c, (perClass.get(k).get(c) || 0) + 1);
  }
  const classes = [...perClass.keys()];
  // Classes of one country side by side around its centroid.
  const series = classes.map((k, i) => ({
    name: netLabel(k), type: 'scatter', coordinateSystem: 'geo', itemStyle: { color: CLASS_COLOR[k], borderColor: '#fff', borderWidth: 1 },
    symbolSize: (v) => 7 + 3 * Math.sqrt(v[2]),
    data: [...perClass.get(k)].filter(([c]) => w.centroids[c]).map(([c, n]) => {
      const [lon, lat] = w.centroids[c];
      const off = classes.length > 1 ? (i - (classes.length - 1) / 2) * 2.5 : 0;
      return [lon + off, lat, n, c];
    }),
  }));
  return { box, option: {
    legend: { top: 0 },
    tooltip: { trigger: 'item', formatter: (p) => (p.seriesType === 'scatter'
      ? `${regionName(p.value[3])} · ${p.seriesName}: ${p.value[2]}`
      : `${regionName(p.name)}: ${perCountry.get(p.name) || 0}`) },
    geo: { map: 'world', roam: true, top: 30, bottom: 0, itemStyle: { areaColor: '#eef1f4', borderColor: '#b6bec8' },
      emphasis: { label: { show: false }, itemStyle: { areaColor: '#dbe6f3' } },
      regions: [...perCountry.keys()].map((c) => ({ name: c, itemStyle: { areaColor: '#c8dcf3' } })) },
    series,
  } };
}

function payoutChart(records) {
  const box = chartBox('chart-payouts', t('payouts'));
  const rows = records.filter((r) => r.kind === 'payout' || r.kind === 'payout_account');
  const dest = (x) => {
    if (x.crypto) return `crypto ${x.crypto.chain || x.crypto.asset || ''}`.trim();
    if (x.bank) return `bank ${x.bank.country || '?'}${x.beneficiary_name ? ' · ' + x.beneficiary_name : ''}`;
    return `${x.method || '?'}${x.beneficiary_name ? ' · ' + x.beneficiary_name : ''}`;
  };
  const cats = [...new Set(rows.map((r) => dest(r.record)))];
  const pay = rows.filter((r) => r.kind === 'payout').map((r) => [r.record.at, dest(r.record), Number(r.record.amount) || 0, r.record.currency || '']);
  const reg = rows.filter((r) => r.kind === 'payout_account').map((r) => [r.record.at, dest(r.record), 0, '']);
  const maxAmt = Math.max(1, ...pay.map((p) => p[2]));
  return { box, option: {
    legend: { top: 0, data: [t('amount'), t('destination')] },
    tooltip: { trigger: 'item', formatter: (p) => `${fmtTime(p.value[0])}<br>${p.value[1]}${p.value[2] ? '<br>' + p.value[2] + ' ' + p.value[3] : ''}` },
    grid: { left: 160, right: 10, top: 30, bottom: 30 },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: cats },
    series: [
      { name: t('amount'), type: 'scatter', data: pay, symbolSize: (v) => 6 + 18 * Math.sqrt(v[2] / maxAmt) },
      { name: t('destination'), type: 'scatter', data: reg, symbol: 'diamond', symbolSize: 12 },
    ],
  } };
}

function graphChart(g) {
  const box = chartBox('graph-links', t('graph'));
  const color = { critical: '#a40e26', high: '#bc4c00', medium: '#bf8700', low: '#1a7f37' };
  const option = {
    tooltip: { formatter: (p) => p.dataType === 'edge'
      ? p.data.identifiers.map((i) => `${i[0]}: ${i[1]}`).join('<br>')
      : `${p.data.name} · ${fmtScore(p.data.score)}` },
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true, force: { repulsion: 220, edgeLength: 90 },
      label: { show: true, position: 'right', fontSize: 11 },
      data: g.nodes.map((n) => ({ name: n.subject_id, score: n.score, symbolSize: n.hops === 0 ? 26 : 16,
        itemStyle: { color: color[n.tier] || '#8c959f', borderColor: n.hops === 0 ? '#000' : undefined, borderWidth: n.hops === 0 ? 2 : 0 } })),
      links: g.edges.map((e) => ({ source: e.a, target: e.b, identifiers: e.identifiers, lineStyle: { width: Math.min(6, 1 + e.weight) } })),
    }],
  };
  return { box, option, onClick: (p) => { if (p.dataType === 'node' && p.data.name !== g.subject_id) location.hash = `#/s/${encodeURIComponent(p.data.name)}`; } };
}

function profileTable(records) {
  const profiles = records.filter((r) => r.kind === 'subject');
  if (!profiles.length) return el('p', { class: 'muted', text: t('nodata') });
  const fields = ['display_name', 'legal_name', 'name_native', 'nationality', 'claimed_country', 'claimed_city', 'claimed_timezone', 'emails', 'phones', 'address', 'date_of_birth', 'education', 'employment', 'urls', 'hourly_rate', 'headline'];
  const present = fields.filter((f) => profiles.some((p) => p.record[f] != null && p.record[f] !== '' && !(Array.isArray(p.record[f]) && !p.record[f].length)));
  const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('field') }), ...profiles.map((p) => el('th', { scope: 'col', text: p.record.source })))));
  const body = el('tbody');
  for (const f of present) {
    const vals = profiles.map((p) => short(p.record[f]));
    const distinct = new Set(vals.filter((v) => v !== ''));
    const differs = distinct.size > 1;
    body.append(el('tr', {}, el('th', { scope: 'row', text: f }),
      ...vals.map((v) => el('td', { class: differs && v ? 'diff' : null, title: differs ? t('differs') : null, text: v }))));
  }
  table.append(body);
  return table;
}

function highlight(text, phrases) {
  const out = el('span');
  if (!phrases.length) { out.textContent = text; return out; }
  const re = new RegExp('(' + phrases.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') + ')', 'gi');
  let last = 0;
  for (const m of text.matchAll(re)) {
    out.append(text.slice(last, m.index), el('mark', { text: m[0] }));
    last = m.index + m[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function messagesList(records, flags) {
  const msgs = records.filter((r) => r.kind === 'message');
  if (!msgs.length) return el('p', { class: 'muted', text: t('nodata') });
  // The phrases the flags matched (their evidence), highlighted in the texts.
  const phrases = new Set();
  const collect = (v) => {
    if (typeof v === 'string' && v.length >= 3 && v.length <= 80 && !/^[0-9a-f]{32}$/.test(v)) phrases.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
  };
  for (const f of flags) for (const [k, v] of Object.entries(f.evidence.values || {})) if (/phrase|match|term|keyword|pattern/.test(k)) collect(v);
  const list = [...phrases];
  return el('div', {}, ...msgs.slice(-100).map((r) => el('div', { class: 'msg', id: `rec-${r.record_id}` },
    el('div', { class: 'meta', text: `${fmtTime(r.record.at)} · ${r.record.direction}${r.record.channel ? ' · ' + r.record.channel : ''}` }),
    highlight(r.record.text || '', list))));
}

function docsTable(records) {
  const rows = records.filter((r) => r.kind === 'identity_document' || r.kind === 'meeting');
  if (!rows.length) return el('p', { class: 'muted', text: t('nodata') });
  return el('table', {}, el('thead', {}, el('tr', {}, ...[t('at'), t('kind'), ''].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => {
      const x = maskDeep(r.record);
      const detail = r.kind === 'identity_document'
        ? `${x.doc_type} · ${x.issuing_country || ''} · ${x.name || ''} · ${x.number || ''}${x.expiry ? ' · exp ' + x.expiry : ''}`
        : `${x.meeting_type || ''}${x.video_requested ? ' · video requested' : ''}${x.camera_on === false ? ' · camera off' : ''}${x.refused ? ' · refused' : ''}${(x.observations || []).length ? ' · ' + x.observations.join(', ') : ''}`;
      return el('tr', { id: `rec-${r.record_id}` }, el('td', { text: fmtTime(x.at) }), el('td', { text: r.kind }), el('td', { text: detail }));
    })));
}

function recordsTable(records) {
  const wrap = el('details', {}, el('summary', { text: `${t('records')} (${records.length})` }));
  const table = el('table', {}, el('thead', {}, el('tr', {}, ...[t('at'), t('kind'), 'record_id', ''].map((h) => el('th', { scope: 'col', text: h })))));
  const body = el('tbody');
  for (const r of records.slice(-2000)) {
    const x = maskDeep(r.record);
    delete x.kind; delete x.subject_id;
    const at = x.at || x.observed_at; delete x.at;
    body.append(el('tr', { id: `rec-${r.record_id}` }, el('td', { text: fmtTime(at) }), el('td', { text: r.kind }),
      el('td', {}, el('code', { text: r.record_id.slice(0, 12) })), el('td', { class: 'kv', text: JSON.stringify(x).slice(0, 300) })));
  }
  table.append(body);
  wrap.append(table);
  return wrap;
}

function showRecord(id) {
  const row = document.getElementById(`rec-${id}`);
  if (!row) return;
  const det = row.closest('details');
  if (det) det.open = true;
  document.querySelectorAll('.rec-hl').forEach((x) => x.classList.remove('rec-hl'));
  row.classList.add('rec-hl');
  row.scrollIntoView({ block: 'center' });
}

function flagView(f) {
  const vals = Object.entries(f.evidence.values || {});
  const ths = Object.entries(f.evidence.thresholds || {});
  return el('div', { class: 'flag', testid: 'flag', 'data-flag-id': f.id },
    el('span', { class: 'pts', text: `+${fmtScore(f.weight)} ${t('points')}` }),
    el('strong', { text: flagTitle(f.id) }), ' ', el('span', { class: 'id', text: `${f.id} · ${f.detector}` }),
    el('p', { text: explain(f) }),
    vals.length ? el('div', { class: 'kv' }, `${t('evidence')}: `, ...vals.map(([k, v]) => el('span', {}, `${k} = `, el('code', { text: short(maskDeep(v, k)).slice(0, 200) }), '; '))) : null,
    ths.length ? el('div', { class: 'kv' }, `${t('thresholds')}: `, ...ths.map(([k, v]) => el('span', {}, `${k} = `, el('code', { text: short(v) }), '; '))) : null,
    f.evidence.records?.length ? el('div', { class: 'kv' }, `${t('records')}: `, ...f.evidence.records.slice(0, 20).map((id) => el('a', { href: '#', onclick: (e) => { e.preventDefault(); showRecord(id); }, text: id.slice(0, 10) + ' ' }))) : null);
}

function ddChecklist(subjectId, dd, reload) {
  const box = el('div', { testid: 'dd-checklist' });
  const items = dd?.items || [];
  if (!items.length) box.append(el('p', { class: 'muted', text: t('nodata') }));
  for (const it of items) {
    const form = el('form', { class: 'dd-form' });
    const result = el('select', { name: 'result', 'aria-label': t('result') }, ...['pass', 'fail', 'inconclusive'].map((x) => el('option', { value: x, text: t(x) })));
    const notes = el('input', { name: 'notes', size: 40, 'aria-label': t('notes'), placeholder: t('notes') });
    const files = el('input', { type: 'file', name: 'files', multiple: true, 'aria-label': t('attach') });
    const msg = el('span', { role: 'status' });
    form.append(el('label', {}, t('result'), result), el('label', {}, t('notes'), notes), el('label', {}, t('attach'), files),
      el('button', { type: 'submit', class: 'primary', text: t('save') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.className = ''; msg.textContent = '…';
      try {
        const evidence = [];
        for (const f of files.files) {
          const up = await api('/v1/attachments', { method: 'POST', body: await f.arrayBuffer(), headers: { 'Content-Type': 'application/octet-stream' } });
          evidence.push(up.sha256);
        }
        await api(`/v1/subjects/${encodeURIComponent(subjectId)}/checks`, { method: 'POST', json: { check: it.id, result: result.value, notes: notes.value || null, evidence } });
        msg.className = 'ok'; msg.textContent = t('saved');
        reload();
      } catch (err) { msg.className = 'err'; msg.textContent = err.message; }
    });
    const canWork = ['analyst', 'lead'].includes(session.role);
    const step = el('div', { class: 'dd-step', testid: 'dd-step', 'data-dd-id': it.id },
      el('div', {}, el('span', { class: `st st-${it.status}`, text: it.status }), ' ', el('strong', { text: stepTitle(it.id) }), ' ',
        el('span', { class: 'kv', text: `${it.id} · ${it.required ? t('ddRequired') : t('ddOptional')}` }),
        it.check ? el('div', { class: 'kv', text: `${fmtTime(it.check.at)} · ${it.check.by || ''} · ${t(it.check.result)}${it.check.notes ? ' · ' + it.check.notes : ''}${it.check.evidence?.length ? ' · ' + it.check.evidence.map((h) => h.slice(0, 12)).join(', ') : ''}` }) : null),
      canWork ? el('button', { type: 'button', text: t('record'), 'aria-expanded': 'false', onclick: (e) => { step.classList.toggle('open'); e.target.setAttribute('aria-expanded', step.classList.contains('open')); } }) : el('span'),
      form);
    box.append(step);
  }
  return box;
}

function decisionForm(subjectId, reload) {
  const decision = el('select', { name: 'decision', 'aria-label': t('decision') }, ...['approve', 'reject', 'escalate', 'hold'].map((x) => el('option', { value: x, text: t(x) })));
  const reason = el('input', { name: 'reason', size: 40, 'aria-label': t('notes'), placeholder: t('notes') });
  const override = el('input', { name: 'override', size: 40, 'aria-label': t('override') });
  const msg = el('div', { role: 'status' });
  const form = el('form', { class: 'inline', testid: 'decision-form' },
    el('label', {}, t('decision'), decision), el('label', {}, t('notes'), reason),
    session.role === 'lead' ? el('label', {}, t('override'), override) : null,
    el('button', { type: 'submit', class: 'primary', text: t('decide') }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.className = ''; msg.textContent = '…';
    try {
      await api(`/v1/subjects/${encodeURIComponent(subjectId)}/decisions`, { method: 'POST', json: { decision: decision.value, reason: reason.value || null, override: override.value || null } });
      msg.className = 'ok'; msg.textContent = t('saved');
      reload();
    } catch (err) { msg.className = 'err'; msg.textContent = err.message; }
  });
  return form;
}

async function viewSubject(main, id) {
  const [d, recs, g] = await Promise.all([
    api(`/v1/subjects/${encodeURIComponent(id)}`),
    api(`/v1/subjects/${encodeURIComponent(id)}/records?enrich=true`),
    api(`/v1/subjects/${encodeURIComponent(id)}/graph?depth=2`).catch(() => ({ subject_id: id, nodes: [], edges: [] })),
    loadWorld().catch(() => null),
  ]);
  const w = world;
  const r = d.result;
  setTitle(r?.display_name || id);
  const reload = () => route();
  const tz = recs.map((x) => x.record.claimed_timezone).find(Boolean) || 'UTC';
  const flags = [...(r?.flags || [])].sort((a, b) => b.weight - a.weight);
  const parts = [
    el('div', { class: 'head' },
      el('div', {}, el('h1', { text: r?.display_name || id }), el('div', { class: 'kv', text: id })),
      el('div', {}, el('div', { class: 'kv', text: t('score') }), el('div', { class: 'score', testid: 'subject-score', text: fmtScore(r?.score) })),
      el('div', {}, el('div', { class: 'kv', text: t('tier') }), el('div', { testid: 'subject-tier', 'data-tier': r?.tier }, r ? tierLabel(r.tier) : '–')),
      REPORT ? null : el('div', {}, el('div', { class: 'kv', text: t('caseOf') }), d.case ? el('a', { href: `#/c/${d.case.case_id}`, text: `${d.case.case_id} · ${d.case.title} · ${t('st_' + d.case.status)}` }) : el('span', { class: 'muted', text: t('noCase') }))),
  ];
  const pics = el('div', { class: 'grid' });
  const det = REPORT ? REPORT.details[id] : null;
  const made = REPORT && !det ? [] : [activityChart(recs, tz), loginChart(recs), w ? mapChart(recs, w) : null, graphChart(g), payoutChart(recs)].filter(Boolean);
  for (const m of made) pics.append(m.box.card);
  if (REPORT && !det) parts.push(el('p', { class: 'notice', text: t('reportNoRecords', { n: REPORT.max_detailed ?? 500 }) }));
  if (det && det.records_total > det.records.length) parts.push(el('p', { class: 'notice', text: t('reportSomeRecords', { n: det.records.length, m: det.records_total }) }));
  parts.push(pics, el('h2', { text: t('why') }),
    el('p', { class: 'kv', text: `${t('base')}: ${fmtScore(r?.base_score)}` }),
    ...flags.map(flagView));
  // Case: open one with this subject (and the linked ones).
  if (!d.case && ['analyst', 'lead'].includes(session.role)) {
    const title = el('input', { name: 'title', size: 30, required: true, value: r?.display_name ? `${r.display_name}` : id, 'aria-label': t('caseTitle') });
    const linked = el('input', { type: 'checkbox', name: 'linked', checked: g.nodes.length > 1 });
    const msg = el('span', { role: 'status' });
    const f = el('form', { class: 'inline' }, el('label', {}, t('caseTitle'), title), el('label', {}, t('withLinked'), linked),
      el('button', { type: 'submit', text: t('openCase') }), msg);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const subjects = linked.checked ? [id, ...g.nodes.map((n) => n.subject_id).filter((x) => x !== id)] : [id];
      try {
        const c = await api('/v1/cases', { method: 'POST', json: { title: title.value, subjects, assignee: session.name } });
        location.hash = `#/c/${c.case_id}`;
      } catch (err) { msg.className = 'err'; msg.textContent = err.message; }
    });
    parts.push(el('h2', { text: t('openCase') }), f);
  }
  parts.push(el('h2', { text: t('dd') }), ddChecklist(id, d.due_diligence, reload));
  if (['analyst', 'lead'].includes(session.role)) {
    const missing = d.due_diligence?.missing || [];
    parts.push(el('h2', { text: t('decision') }),
      missing.length ? el('p', { class: 'kv', text: `${t('missingSteps')} ${missing.map(stepTitle).join(lang === 'ja' ? '、' : '; ')}` }) : null,
      decisionForm(id, reload));
  }
  if (d.decisions.length) {
    parts.push(el('h2', { text: t('decisions') }), el('ul', { class: 'timeline' }, ...d.decisions.map((x) => el('li', { text: `${fmtTime(x.at)} · ${x.by} · ${t(x.decision)}${x.note ? ' · ' + x.note : ''}${x.override_reason ? ' · override: ' + x.override_reason : ''}` }))));
  }
  parts.push(el('h2', { text: t('profile') }), profileTable(recs),
    el('h2', { text: t('messages') }), messagesList(recs, flags),
    el('h2', { text: t('docs') }), docsTable(recs),
    el('h2', { text: t('records') }), recordsTable(recs));
  main.replaceChildren(...parts);
  for (const m of made) {
    const c = mkChart(m.box.div, m.option);
    if (c && m.onClick) c.on('click', m.onClick);
  }
}

// ------------------------------------------------------------------------------------------
// Cases

async function viewCases(main) {
  setTitle(t('cases'));
  const list = await api('/v1/cases');
  const table = el('table', {}, el('thead', {}, el('tr', {}, ...['ID', t('caseTitle'), t('caseStatus'), t('assignee'), t('subjects'), t('due'), t('tags')].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...list.items.map((c) => el('tr', { class: 'row', onclick: () => { location.hash = `#/c/${c.case_id}`; } },
      el('td', {}, el('a', { href: `#/c/${c.case_id}`, text: c.case_id })), el('td', { text: c.title }), el('td', { text: t('st_' + c.status) }),
      el('td', { text: c.assignee || '' }), el('td', { class: 'num', text: c.subjects.length }), el('td', { text: c.due || '' }),
      el('td', { class: 'tags' }, ...c.tags.map((x) => el('span', { text: x })))))));
  main.replaceChildren(el('h1', { text: t('cases') }), list.items.length ? table : el('p', { class: 'muted', text: t('nodata') }));
}

async function viewCase(main, id) {
  const c = await api(`/v1/cases/${encodeURIComponent(id)}`);
  setTitle(`${c.case_id} ${c.title}`);
  const canWork = ['analyst', 'lead'].includes(session.role);
  const status = el('select', { name: 'status', 'aria-label': t('caseStatus'), testid: 'case-status' },
    ...['new', 'investigating', 'waiting_dd', 'escalated', 'closed_cleared', 'closed_confirmed'].map((s) => el('option', { value: s, text: t('st_' + s), selected: c.status === s })));
  const assignee = el('input', { name: 'assignee', value: c.assignee || '', size: 12, 'aria-label': t('assignee') });
  const due = el('input', { name: 'due', type: 'date', value: c.due || '', 'aria-label': t('due') });
  const tags = el('input', { name: 'tags', value: c.tags.join(', '), size: 24, 'aria-label': t('tags') });
  const reason = el('input', { name: 'reason', size: 24, 'aria-label': t('reopenReason') });
  const msg = el('div', { role: 'status' });
  const form = el('form', { class: 'inline' }, el('label', {}, t('caseStatus'), status), el('label', {}, t('assignee'), assignee),
    el('label', {}, t('due'), due), el('label', {}, t('tags'), tags), el('label', {}, t('reopenReason'), reason),
    el('button', { type: 'submit', class: 'primary', text: t('update'), disabled: !canWork }), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const patch = {};
    if (status.value !== c.status) patch.status = status.value;
    if ((assignee.value || '') !== (c.assignee || '')) patch.assignee = assignee.value;
    if ((due.value || '') !== (c.due || '')) patch.due = due.value;
    const tg = tags.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (tg.join(',') !== c.tags.join(',')) patch.tags = tg;
    if (reason.value) patch.reason = reason.value;
    msg.className = ''; msg.textContent = '…';
    try { await api(`/v1/cases/${encodeURIComponent(id)}`, { method: 'PATCH', json: patch }); route(); } catch (err) { msg.className = 'err'; msg.textContent = err.message; }
  });
  const subjects = el('table', {}, el('thead', {}, el('tr', {}, ...[t('subject'), t('name'), t('score'), t('tier'), t('decision')].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...c.subject_results.map((s) => el('tr', {},
      el('td', {}, el('a', { href: `#/s/${encodeURIComponent(s.subject_id)}`, text: s.subject_id })), el('td', { text: s.display_name || '' }),
      el('td', { class: 'num', text: fmtScore(s.score) }), el('td', {}, s.tier ? tierLabel(s.tier) : ''), el('td', { text: s.decision ? t(s.decision) : '' })))));
  const noteText = el('textarea', { name: 'text', 'aria-label': t('addNote'), required: true });
  const noteMsg = el('span', { role: 'status' });
  const noteForm = el('form', {}, noteText, el('button', { type: 'submit', text: t('addNote'), disabled: !canWork }), noteMsg);
  noteForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await api(`/v1/cases/${encodeURIComponent(id)}/notes`, { method: 'POST', json: { text: noteText.value } }); route(); } catch (err) { noteMsg.className = 'err'; noteMsg.textContent = err.message; }
  });
  const notes = el('section', { testid: 'case-notes' }, el('h2', { text: t('caseNotes') }),
    el('ul', {}, ...c.notes.map((n) => el('li', {}, el('span', { class: 'kv', text: `${fmtTime(n.at)} · ${n.by}: ` }), n.text))), noteForm);
  const tl = el('ul', { class: 'timeline' }, ...c.timeline.map((x) => {
    const d = x.detail || {};
    let what = '';
    if (x.kind === 'case') what = d.event === 'updated' && d.patch?.status ? `→ ${t('st_' + d.patch.status)}` : (d.note || d.title || '');
    if (x.kind === 'check') what = `${stepTitle(d.check)}: ${t(d.result)}`;
    if (x.kind === 'decision') what = `${t(d.decision)}${d.override_reason ? ' (override)' : ''}`;
    const ev = x.kind === 'case' ? `ev_${d.event}` : `ev_${x.kind}`;
    return el('li', {}, el('span', { class: 'kv', text: fmtTime(x.at) }), ' ', x.by || '', lang === 'ja' ? '' : ' ', t(ev), x.subject_id ? ` · ${x.subject_id}` : '', what ? ` — ${what}` : '');
  }));
  main.replaceChildren(el('h1', { text: `${c.case_id} · ${c.title}` }),
    el('p', { class: 'kv', text: `${t('st_' + c.status)} · ${c.created_by} · ${fmtTime(c.created_at)}${c.closed_by ? ' · ' + c.closed_by : ''}` }),
    form, el('h2', { text: t('subjects') }), subjects, notes, el('h2', { text: t('timeline') }), tl);
}

// ------------------------------------------------------------------------------------------
// Routing

async function route() {
  clearCharts();
  const main = document.getElementById('main');
  // Tests (and assistive tools) wait for this mark: gone while a view renders.
  main.removeAttribute('data-ready');
  const h = location.hash.slice(1) || '/';
  const [path, query] = h.split('?');
  document.getElementById('nav-queue').classList.toggle('active', path === '/');
  document.getElementById('nav-cases').classList.toggle('active', path.startsWith('/c'));
  const meta = document.getElementById('report-meta');
  if (meta) meta.hidden = path !== '/';
  try {
    if (path.startsWith('/s/')) await viewSubject(main, decodeURIComponent(path.slice(3)));
    else if (path === '/cases' && !REPORT) await viewCases(main);
    else if (path.startsWith('/c/') && !REPORT) await viewCase(main, decodeURIComponent(path.slice(3)));
    else await viewQueue(main, query || '');
  } catch (err) {
    if (err.message !== 'signed out') main.replaceChildren(el('p', { class: 'err', role: 'alert', text: err.message }));
  }
  main.setAttribute('data-ready', location.hash);
}

async function start() {
  session = await api('/v1/session');
  catalog = await api('/v1/catalog');
  if (!REPORT) document.getElementById('who').textContent = `${session.name} (${session.role})`;
  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'ja' ? 'en' : 'ja';
    localStorage.setItem('kensa.lang', lang);
    applyLang();
    route();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api('/logout', { method: 'POST' }); } finally { location.href = '/login'; }
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
  applyLang();
  route();
}

start();
