// A protocol-faithful Discord API v10 simulator for Maxis's tests: the gateway (WebSocket, JSON), the REST
// API the bot uses (with permissions, role hierarchy and rate limits), interactions (gateway or signed HTTP
// delivery, the 3-second deadline, deferrals, follow-ups) and a /_sim control API for tests.
// Every JSON body the bot sends is checked against Discord's official OpenAPI description.
import http from 'node:http';
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';
import { GatewayOpcodes, GatewayIntentBits, InteractionType, InteractionResponseType, PermissionFlagsBits } from 'discord-api-types/v10';
import { OpenApiValidator } from './openapi.mjs';

const DISCORD_EPOCH = 1420070400000n;
const PRIVILEGED = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
const P = Object.fromEntries(Object.entries(PermissionFlagsBits).map(([k, v]) => [k, BigInt(v)]));

let counter = 0n;
export function snowflake(at = Date.now()) {
  counter = (counter + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | counter).toString();
}

function routeKey(method, path) {
  const parts = path.split('?')[0].split('/').filter(Boolean);
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const prev = parts[i - 1];
    const major = ['channels', 'guilds', 'webhooks', 'interactions'].includes(prev) || parts[i - 2] === 'webhooks' || parts[i - 2] === 'interactions';
    out.push(/^\d+$/.test(parts[i]) && !major ? ':id' : parts[i]);
  }
  return `${method} /${out.join('/')}`;
}

// A multipart/form-data body as Discord reads it: `payload_json` (the JSON body) and file parts, each with its form
// field name, filename, content type and bytes.
async function parseMultipart(bytes, contentType) {
  if (!/boundary=/.test(contentType)) throw new Error('multipart/form-data without a boundary');
  const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  let body = {};
  const files = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') body = JSON.parse(value);
      else body[field] = value;
    } else {
      files.push({ field, filename: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
    }
  }
  return { body, files };
}

class DiscordError extends Error {
  constructor(status, code, message, extra = {}) { super(message); this.status = status; this.code = code; this.extra = extra; }
}

export class DiscordSimulator {
  constructor(options = {}) {
    this.options = {
      token: 'sim-bot-token',
      applicationId: '1100000000000000001',
      guildId: '1200000000000000001',
      heartbeatInterval: 1000,
      enabledIntents: PRIVILEGED,          // privileged intents enabled in the "Developer Portal"
      interactionDeadlineMs: 3000,
      messageLimit: { limit: 5, windowMs: 5000 },  // POST /channels/{id}/messages: per channel, like Discord
      routeLimit: { limit: 50, windowMs: 1000 },   // every other route, per route and major parameter
      globalPerSecond: 50,
      nonceWindowMs: 5 * 60 * 1000,                // enforce_nonce: the same nonce within this returns the original
      uploadLimit: 10 * 1024 * 1024,       // Discord's default file upload size limit (10 MiB) for a request's files
      interactionsUrl: null,               // for signed HTTP delivery
      ...options,
    };
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    this.validator = new OpenApiValidator(options.specPath);
    this.validationErrors = [];
    this.requests = [];
    this.injected429 = [];
    this.buckets = new Map();
    this.globalWindow = { start: 0, count: 0 };
    this.sessions = new Map();
    this.gatewayStats = { identifies: 0, resumes: 0, connections: 0, heartbeats: 0, memberRequests: 0, closes: [] };
    this.faults = { dropAcks: false, createThen5xx: 0, holdIdentify: false };
    this.heldIdentifies = [];
    this.nonces = new Map();      // channel:author:nonce -> { message, at }
    this.uploads = new Map();     // attachment id -> { filename, content_type, data } (served at /attachments/...)
    this.rateLimited = { route: 0, global: 0, injected: 0 };  // 429s answered, by cause
    this.rateLimitLog = [];       // the enforced ones: { route, scope, at }
    this.edge5xx = 0;
    this.commands = [];
    this.interactions = new Map();
    this.messages = new Map();   // channel id -> [message]
    this.dmChannels = new Map(); // user id -> channel id
    this.dmClosed = new Set();
    this.users = new Map();
    this.bot = this.addUser({ id: '1100000000000000001', username: 'Maxis', bot: true });
    const g = this.options.guildId;
    this.guild = { id: g, name: 'Maxis Test Server', owner_id: '1300000000000000001', roles: new Map(), channels: new Map(), members: new Map() };
    this.addUser({ id: this.guild.owner_id, username: 'owner' });
    this.addRole({ id: g, name: '@everyone', position: 0, permissions: (P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.CreateInstantInvite).toString() });
    this.botRole = this.addRole({ name: 'Maxis', position: 10, managed: true,
      permissions: (P.ViewChannel | P.SendMessages | P.EmbedLinks | P.ReadMessageHistory | P.ManageRoles | P.ManageChannels |
        P.ManageGuild | P.CreateInstantInvite).toString() });
    this.staffRole = this.addRole({ name: 'Staff', position: 5, permissions: '0' });
    this.paidRole = this.addRole({ name: 'Pro', position: 3, permissions: '0' });
    this.highRole = this.addRole({ name: 'Moderators', position: 20, permissions: '0' });
    this.ultraRole = this.addRole({ name: 'Ultra', position: 2, permissions: '0' });
    this.founderRole = this.addRole({ name: 'Founder', position: 1, permissions: '0' });
    this.general = this.addChannel({ name: 'general' });
    this.staffChannel = this.addChannel({ name: 'staff' });
    this.fallbackChannel = this.addChannel({ name: 'notifications' });
    this.guild.members.set(this.bot.id, { roles: [this.botRole.id], joined_at: new Date().toISOString() });
    this.invites = new Map();    // code -> { code, channel_id, inviter_id, uses, max_uses, max_age, temporary, created_at }
    this.vanity = { code: null, uses: 0 };  // the guild's vanity URL (the VANITY_URL feature when a code is set)
    this.guild.members.set(this.guild.owner_id, { roles: [], joined_at: new Date().toISOString() });
  }

  // ---- model -------------------------------------------------------------------------------------------
  addUser({ id = snowflake(), username, bot = false, global_name = null, avatar = null }) {
    const u = { id, username: username ?? `user${id.slice(-4)}`, global_name, discriminator: '0', avatar, bot };
    this.users.set(id, u);
    return u;
  }
  addRole({ id = snowflake(), name, position, permissions = '0', managed = false }) {
    const r = { id, name, color: 0, hoist: false, icon: null, unicode_emoji: null, position, permissions: String(permissions), managed, mentionable: false, flags: 0 };
    this.guild.roles.set(id, r);
    return r;
  }
  addChannel({ id = snowflake(), name, type = 0, permission_overwrites = [], parent_id = null, topic = null }) {
    const c = { id, type, guild_id: this.guild.id, name, position: this.guild.channels.size, permission_overwrites, parent_id, topic, nsfw: false };
    this.guild.channels.set(id, c);
    this.messages.set(id, []);
    return c;
  }
  memberObject(userId) {
    const m = this.guild.members.get(userId);
    if (!m) return null;
    return { user: this.users.get(userId), nick: m.nick ?? null, avatar: m.avatar ?? null, roles: [...m.roles], joined_at: m.joined_at,
      deaf: false, mute: false, flags: 0, pending: false };
  }
  permissionsOf(userId) {
    if (userId === this.guild.owner_id) return Object.values(P).reduce((a, b) => a | b, 0n);
    const m = this.guild.members.get(userId);
    let p = BigInt(this.guild.roles.get(this.guild.id).permissions);
    for (const r of m?.roles ?? []) p |= BigInt(this.guild.roles.get(r)?.permissions ?? 0);
    return (p & P.Administrator) ? Object.values(P).reduce((a, b) => a | b, 0n) : p;
  }
  topPosition(userId) {
    return Math.max(0, ...(this.guild.members.get(userId)?.roles ?? []).map((r) => this.guild.roles.get(r)?.position ?? 0));
  }
  // largeThreshold: from IDENTIFY (50 by default, 50 to 250). A guild with more members is "large": its
  // GUILD_CREATE carries only the members online (none here, the simulator has no presences) and the bot's own;
  // the others come from Request Guild Members (op 8).
  guildObject(withState, largeThreshold = 50) {
    const base = {
      id: this.guild.id, name: this.guild.name, icon: null, owner_id: this.guild.owner_id, afk_channel_id: null, afk_timeout: 300,
      verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0, features: [], mfa_level: 0,
      system_channel_id: null, premium_tier: 0, preferred_locale: 'fr', nsfw_level: 0, premium_progress_bar_enabled: false,
      roles: [...this.guild.roles.values()], emojis: [], stickers: [],
    };
    if (this.vanity.code) { base.features = ['VANITY_URL']; base.vanity_url_code = this.vanity.code; } else base.vanity_url_code = null;
    if (!withState) return base;
    const large = this.guild.members.size > largeThreshold;
    const present = large ? [this.bot.id] : [...this.guild.members.keys()];
    return { ...base, joined_at: new Date().toISOString(), large, unavailable: false, member_count: this.guild.members.size,
      members: present.map((id) => this.memberObject(id)), channels: [...this.guild.channels.values()],
      threads: [], presences: [], voice_states: [], stage_instances: [], guild_scheduled_events: [] };
  }

  // ---- invites -----------------------------------------------------------------------------------------
  // Invites as Discord's documentation describes them: the invite object (code, guild, channel, inviter, expires_at)
  // with its metadata (uses, max_uses, max_age in seconds, temporary, created_at) where the caller manages the guild;
  // INVITE_CREATE and INVITE_DELETE go to sessions with the GUILD_INVITES intent. An invite reaching its max_uses is
  // deleted (INVITE_DELETE), an expired one is gone.
  inviteCode() {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let code;
    do code = [...crypto.randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join(''); while (this.invites.has(code));
    return code;
  }
  inviteExpiresAt(inv) {
    return inv.max_age > 0 ? new Date(Date.parse(inv.created_at) + inv.max_age * 1000).toISOString() : null;
  }
  liveInvite(code) {
    const inv = this.invites.get(code);
    if (inv && inv.max_age > 0 && Date.now() >= Date.parse(inv.created_at) + inv.max_age * 1000) { this.invites.delete(code); return null; }
    return inv ?? null;
  }
  inviteObject(inv, withMetadata = true) {
    const channel = this.guild.channels.get(inv.channel_id);
    const o = { type: 0, code: inv.code, guild: { id: this.guild.id, name: this.guild.name, splash: null, banner: null, description: null,
      icon: null, features: this.vanity.code ? ['VANITY_URL'] : [], verification_level: 0, vanity_url_code: this.vanity.code, nsfw_level: 0 },
    channel: { id: inv.channel_id, name: channel?.name ?? null, type: channel?.type ?? 0 }, expires_at: this.inviteExpiresAt(inv) };
    if (inv.inviter_id) o.inviter = this.users.get(inv.inviter_id);
    if (withMetadata) Object.assign(o, { uses: inv.uses, max_uses: inv.max_uses, max_age: inv.max_age, temporary: inv.temporary, created_at: inv.created_at });
    return o;
  }
  // Create Channel Invite: max_age 0 (never) to 604800 (7 days), 86400 by default; max_uses 0 (unlimited) to 100;
  // without `unique`, an invite of the same creator with the same settings is returned again.
  createInvite(channelId, inviterId, body = {}) {
    const channel = this.guild.channels.get(channelId);
    if (!channel) throw new DiscordError(404, 10003, 'Unknown Channel');
    if ((this.permissionsOf(inviterId) & P.CreateInstantInvite) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
    const maxAge = body.max_age ?? 86400;
    const maxUses = body.max_uses ?? 0;
    const errors = {};
    if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 604800) errors.max_age = 'int value should be less than or equal to 604800.';
    if (!Number.isInteger(maxUses) || maxUses < 0 || maxUses > 100) errors.max_uses = 'int value should be less than or equal to 100.';
    if (Object.keys(errors).length) throw new DiscordError(400, 50035, 'Invalid Form Body', { errors });
    const temporary = !!body.temporary;
    if (!body.unique) {
      const same = [...this.invites.values()].find((i) => i.channel_id === channelId && i.inviter_id === inviterId && i.max_age === maxAge &&
        i.max_uses === maxUses && i.temporary === temporary && this.liveInvite(i.code));
      if (same) return same;
    }
    const inv = { code: body.code ?? this.inviteCode(), channel_id: channelId, inviter_id: inviterId, uses: 0, max_uses: maxUses, max_age: maxAge,
      temporary, created_at: new Date().toISOString() };
    this.invites.set(inv.code, inv);
    this.dispatch('INVITE_CREATE', { channel_id: inv.channel_id, code: inv.code, created_at: inv.created_at, guild_id: this.guild.id,
      inviter: this.users.get(inviterId), max_age: inv.max_age, max_uses: inv.max_uses, temporary: inv.temporary, uses: 0,
      expires_at: this.inviteExpiresAt(inv) }, GatewayIntentBits.GuildInvites);
    return inv;
  }
  deleteInvite(code) {
    const inv = this.invites.get(code);
    this.invites.delete(code);
    this.dispatch('INVITE_DELETE', { channel_id: inv.channel_id, guild_id: this.guild.id, code }, GatewayIntentBits.GuildInvites);
    return inv;
  }
  // Someone joins: through an invite (its uses + 1; used up at max_uses, it is deleted), the vanity URL (its uses
  // + 1), or neither (discovery, an application's join); then GUILD_MEMBER_ADD.
  join({ user, username, bot = false, code, vanity = false }) {
    const u = this.users.get(user) ?? this.addUser({ id: user, username, bot });
    if (this.guild.members.has(u.id)) throw new DiscordError(400, 0, `${u.id} is already a member`);
    if (code !== undefined) {
      const inv = this.liveInvite(code);
      if (!inv) throw new DiscordError(404, 10006, 'Unknown Invite');
      inv.uses += 1;
      if (inv.max_uses > 0 && inv.uses >= inv.max_uses) this.deleteInvite(code);
    } else if (vanity) {
      if (!this.vanity.code) throw new DiscordError(404, 10006, 'Unknown Invite');
      this.vanity.uses += 1;
    }
    this.guild.members.set(u.id, { roles: [], nick: null, avatar: null, joined_at: new Date().toISOString() });
    this.dispatch('GUILD_MEMBER_ADD', { guild_id: this.guild.id, ...this.memberObject(u.id) }, GatewayIntentBits.GuildMembers);
    return this.memberObject(u.id);
  }

  // ---- gateway -----------------------------------------------------------------------------------------
  dispatch(type, data, intent) {
    for (const s of this.sessions.values()) {
      if (intent !== undefined && (s.intents & intent) === 0) continue;
      let d = data;
      if (type === 'MESSAGE_CREATE' && (s.intents & GatewayIntentBits.MessageContent) === 0 && data.guild_id &&
          !(data.mentions ?? []).some((u) => u.id === this.bot.id) && data.author.id !== this.bot.id) {
        d = { ...data, content: '', embeds: [], attachments: [], components: [] };  // Message Content rules
      }
      s.seq += 1;
      const payload = { op: GatewayOpcodes.Dispatch, t: type, s: s.seq, d };
      s.buffer.push(payload);
      if (s.buffer.length > 1000) s.buffer.shift();
      if (s.ws && s.ready) s.ws.send(JSON.stringify(payload));
    }
  }

  onGatewayConnection(ws) {
    this.gatewayStats.connections += 1;
    const conn = { ws, session: null };
    ws.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatInterval } }));
    ws.on('message', (raw) => {
      let msg;
      try { msg = JSON.parse(raw.toString()); } catch { ws.close(4002, 'Decode error'); return; }
      if (msg.op === GatewayOpcodes.Heartbeat) {
        this.gatewayStats.heartbeats += 1;
        if (!this.faults.dropAcks) ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
      } else if (msg.op === GatewayOpcodes.Identify) {
        if (conn.session) { ws.close(4005, 'Already authenticated'); return; }
        if (this.faults.holdIdentify) { this.heldIdentifies.push(() => this.identify(ws, conn, msg)); return; }
        this.identify(ws, conn, msg);
      } else if (msg.op === GatewayOpcodes.RequestGuildMembers) {
        this.requestGuildMembers(ws, conn, msg.d ?? {});
      } else if (msg.op === GatewayOpcodes.Resume) {
        const d = msg.d ?? {};
        const session = this.sessions.get(d.session_id);
        if (d.token !== this.options.token) { ws.close(4004, 'Authentication failed.'); return; }
        if (!session) { ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false })); return; }
        this.gatewayStats.resumes += 1;
        if (session.ws && session.ws !== ws) session.ws.terminate();
        session.ws = ws;
        conn.session = session;
        for (const p of session.buffer.filter((e) => e.s > d.seq)) ws.send(JSON.stringify(p));
        session.seq += 1;
        const resumed = { op: 0, t: 'RESUMED', s: session.seq, d: {} };
        session.buffer.push(resumed);
        ws.send(JSON.stringify(resumed));
        session.ready = true;
      }
    });
    ws.on('close', (code) => {
      this.gatewayStats.closes.push(code);
      if (conn.session && conn.session.ws === ws) {
        conn.session.ready = false;
        conn.session.ws = null;
        if (code === 1000 || code === 1001) this.sessions.delete(conn.session.id);  // a clean close ends the session
      }
    });
  }

  // Request Guild Members (op 8): the members whose username starts with query (every member for "" with limit 0,
  // which needs the GUILD_MEMBERS intent), answered to this session in GUILD_MEMBERS_CHUNK events of at most 1000
  // members, each with chunk_index, chunk_count and the request's nonce.
  requestGuildMembers(ws, conn, d) {
    const session = conn.session;
    if (!session) { ws.close(4003, 'Not authenticated.'); return; }
    if (d.guild_id !== this.guild.id) return;
    const query = typeof d.query === 'string' ? d.query : null;
    const limit = Number.isInteger(d.limit) ? d.limit : null;
    if (query === null && !Array.isArray(d.user_ids)) { ws.close(4001, 'Unknown opcode.'); return; }
    if (query === '' && limit === 0 && (session.intents & GatewayIntentBits.GuildMembers) === 0) {
      ws.close(4013, 'Invalid intent(s).');
      return;
    }
    let ids = [...this.guild.members.keys()];
    if (Array.isArray(d.user_ids)) ids = ids.filter((id) => d.user_ids.includes(id));
    else if (query !== '') ids = ids.filter((id) => this.users.get(id).username.toLowerCase().startsWith(query.toLowerCase()));
    if (limit) ids = ids.slice(0, limit);
    const members = ids.map((id) => this.memberObject(id));
    const chunks = [];
    for (let i = 0; i < members.length; i += 1000) chunks.push(members.slice(i, i + 1000));
    if (chunks.length === 0) chunks.push([]);
    this.gatewayStats.memberRequests += 1;
    chunks.forEach((chunk, index) => {
      const data = { guild_id: this.guild.id, members: chunk, chunk_index: index, chunk_count: chunks.length };
      if (d.nonce !== undefined) data.nonce = d.nonce;
      session.seq += 1;
      const payload = { op: GatewayOpcodes.Dispatch, t: 'GUILD_MEMBERS_CHUNK', s: session.seq, d: data };
      session.buffer.push(payload);
      if (session.ws && session.ready) session.ws.send(JSON.stringify(payload));
    });
  }

  // IDENTIFY: a new session, READY and GUILD_CREATE (Discord does not replay what was sent before it).
  identify(ws, conn, msg) {
    if (ws.readyState !== ws.OPEN) return;
    const d = msg.d ?? {};
    if (d.token !== this.options.token) { ws.close(4004, 'Authentication failed.'); return; }
    if (typeof d.intents !== 'number') { ws.close(4013, 'Invalid intent(s).'); return; }
    if ((d.intents & PRIVILEGED & ~this.options.enabledIntents) !== 0) { ws.close(4014, 'Disallowed intent(s).'); return; }
    this.gatewayStats.identifies += 1;
    const session = { id: crypto.randomBytes(16).toString('hex'), seq: 0, buffer: [], intents: d.intents, ws, ready: true };
    this.sessions.set(session.id, session);
    conn.session = session;
    const port = this.server.address().port;
    this.dispatch('READY', { v: 10, user: this.bot, guilds: [{ id: this.guild.id, unavailable: true }], session_id: session.id,
      session_type: 'normal', resume_gateway_url: `ws://127.0.0.1:${port}/resume-gateway`, shard: [0, 1],
      application: { id: this.options.applicationId, flags: this.applicationFlags() } });
    const threshold = Number.isInteger(d.large_threshold) ? Math.min(250, Math.max(50, d.large_threshold)) : 50;
    if (d.intents & GatewayIntentBits.Guilds) this.dispatch('GUILD_CREATE', this.guildObject(true, threshold), GatewayIntentBits.Guilds);
  }

  applicationFlags() {
    let f = 0;
    if (this.options.enabledIntents & GatewayIntentBits.GuildMembers) f |= 1 << 14;
    if (this.options.enabledIntents & GatewayIntentBits.MessageContent) f |= 1 << 18;
    return f;
  }

  liveSockets() { return [...this.sessions.values()].filter((s) => s.ws).map((s) => s.ws); }

  fault({ kind, code, resumable }) {
    for (const s of [...this.sessions.values()]) {
      if (!s.ws) continue;
      if (kind === 'reconnect') s.ws.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
      else if (kind === 'invalid_session') {
        if (!resumable) this.sessions.delete(s.id);
        s.ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: !!resumable }));
      } else if (kind === 'abrupt') { s.ready = false; s.ws.terminate(); s.ws = null; }
      else if (kind === 'close') { s.ready = false; s.ws.close(code ?? 4000, 'simulated'); }
    }
    if (kind === 'drop_acks') this.faults.dropAcks = true;
    if (kind === 'restore_acks') this.faults.dropAcks = false;
    // IDENTIFY left unanswered (no READY) until released: a window in which Maxis has no session.
    if (kind === 'hold_identify') this.faults.holdIdentify = true;
    if (kind === 'release_identify') {
      this.faults.holdIdentify = false;
      for (const run of this.heldIdentifies.splice(0)) run();
    }
    // The next message creations succeed, then Discord's edge answers 5xx (the answer is lost).
    if (kind === 'create_then_5xx') this.faults.createThen5xx += code ?? 1;
  }

  // ---- REST --------------------------------------------------------------------------------------------
  // Discord's rate limits as its documentation describes them: a global limit (requests per second, interaction
  // endpoints exempt) and per-route buckets kept apart by major parameter (channel, guild, webhook id + token),
  // routes sharing a bucket named by the same X-RateLimit-Bucket hash. Every answer carries X-RateLimit-Limit,
  // -Remaining, -Reset (epoch seconds), -Reset-After (seconds) and -Bucket; a 429 adds Retry-After and
  // X-RateLimit-Scope, with a JSON body { message, retry_after, global }. Every 429 answered is counted.
  rateLimit(method, path, res) {
    const now = Date.now();
    const route = routeKey(method, path);
    const tooMany = (retry, global, scope) => {
      res.setHeader('Retry-After', String(Math.ceil(retry)));
      res.setHeader('X-RateLimit-Scope', scope);
      if (global) res.setHeader('X-RateLimit-Global', 'true');
      return new DiscordError(429, 0, 'You are being rate limited.', { retry_after: Math.round(retry * 1000) / 1000, global });
    };
    const injected = this.injected429.find((r) => r.count > 0 && (r.route === '*' || route.startsWith(r.route)));
    if (injected) {
      injected.count -= 1;
      this.rateLimited.injected += 1;
      throw tooMany(injected.retry_after, !!injected.global, injected.global ? 'global' : 'user');
    }
    const exempt = route.startsWith('POST /interactions/') || route.startsWith('PATCH /webhooks/') || route.startsWith('POST /webhooks/') ||
      route.startsWith('GET /webhooks/') || route.startsWith('DELETE /webhooks/');
    if (!exempt) {
      if (now - this.globalWindow.start >= 1000) this.globalWindow = { start: now, count: 0 };
      if (this.globalWindow.count >= this.options.globalPerSecond) {
        this.rateLimited.global += 1;
        this.rateLimitLog.push({ route, scope: 'global', at: now });
        throw tooMany((this.globalWindow.start + 1000 - now) / 1000, true, 'global');
      }
      this.globalWindow.count += 1;
    }
    const isMessage = /^POST \/channels\/\d+\/messages$/.test(route);
    const { limit, windowMs } = isMessage ? this.options.messageLimit : this.options.routeLimit;
    // The bucket hash names the route (message creation shares one hash across channels); the major
    // parameter (already in the route key) keeps channels, guilds and webhooks apart.
    const hash = crypto.createHash('sha1').update(isMessage ? 'POST /channels/:id/messages' : route.replace(/\/\d{5,}/g, '/:major')).digest('hex').slice(0, 16);
    const key = `${hash}:${route}`;
    let b = this.buckets.get(key);
    if (!b || now >= b.reset) { b = { remaining: limit, reset: now + windowMs }; this.buckets.set(key, b); }
    const headers = () => {
      res.setHeader('X-RateLimit-Limit', String(limit));
      res.setHeader('X-RateLimit-Remaining', String(Math.max(0, b.remaining)));
      res.setHeader('X-RateLimit-Reset', (b.reset / 1000).toFixed(3));
      res.setHeader('X-RateLimit-Reset-After', ((b.reset - now) / 1000).toFixed(3));
      res.setHeader('X-RateLimit-Bucket', hash);
    };
    if (b.remaining <= 0) {
      headers();
      this.rateLimited.route += 1;
      this.rateLimitLog.push({ route, scope: 'user', at: now, reset: b.reset });
      throw tooMany((b.reset - now) / 1000, false, 'user');
    }
    b.remaining -= 1;
    headers();
  }

  checkBody(method, path, body) {
    const problems = this.validator.validate(method, path.split('?')[0], body);
    if (problems.length) this.validationErrors.push(...problems);
  }

  messageFrom(channelId, body, author = this.bot) {
    const m = {
      id: snowflake(), channel_id: channelId, author, content: body.content ?? '', timestamp: new Date().toISOString(),
      edited_timestamp: null, tts: false, mention_everyone: false, mentions: [], mention_roles: [], attachments: [],
      embeds: body.embeds ?? [], components: body.components ?? [], pinned: false, type: body.message_reference ? 19 : 0,
      flags: body.flags ?? 0,
    };
    if (body.message_reference) m.message_reference = { ...body.message_reference, channel_id: channelId };
    // Discord resolves <@id> and <@!id> in the content into the mentions array.
    for (const [, uid] of (m.content.matchAll(/<@!?(\d+)>/g))) {
      const u = this.users.get(uid);
      if (u && !m.mentions.some((x) => x.id === uid)) m.mentions.push(u);
    }
    return m;
  }

  validateMessage(body, files = []) {
    const has = (body.content && body.content.length) || (body.embeds && body.embeds.length) || (body.components && body.components.length) ||
      files.length > 0 || (body.attachments ?? []).length > 0;
    if (!has) throw new DiscordError(400, 50006, 'Cannot send an empty message');
    const errors = [];
    if ((body.content ?? '').length > 2000) errors.push('content: Must be 2000 or fewer in length.');
    if ((body.embeds ?? []).length > 10) errors.push('embeds: Must be 10 or fewer in length.');
    let total = 0;
    for (const e of body.embeds ?? []) {
      total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length;
      if ((e.title ?? '').length > 256) errors.push('embeds.title too long');
      if ((e.description ?? '').length > 4096) errors.push('embeds.description too long');
      if ((e.fields ?? []).length > 25) errors.push('embeds.fields: Must be 25 or fewer in length.');
      for (const f of e.fields ?? []) {
        total += f.name.length + f.value.length;
        if (f.name.length > 256 || f.value.length > 1024) errors.push('embeds.fields too long');
      }
    }
    if (total > 6000) errors.push('embeds: Embed size exceeds maximum size of 6000');
    for (const row of body.components ?? []) {
      if ((row.components ?? []).length > 5) errors.push('components: too many in a row');
      for (const c of row.components ?? []) {
        if ((c.custom_id ?? '').length > 100) errors.push('custom_id: Must be 100 or fewer in length.');
        if ((c.label ?? '').length > 80) errors.push('label too long');
        if (c.type === 3 && (c.options ?? []).length > 25) errors.push('options: Must be 25 or fewer in length.');
      }
    }
    if ((body.components ?? []).length > 5) errors.push('components: Must be 5 or fewer in length.');
    if (errors.length) throw new DiscordError(400, 50035, 'Invalid Form Body', { errors });
  }

  // Uploading Files (Create Message as multipart/form-data): the JSON in the `payload_json` part, each file in a
  // `files[n]` part with its filename; `attachments` in the JSON may name them ({ id: n, filename, description }).
  // Every file part must be referenced by an index, the files together stay within the upload limit (413, 40005
  // otherwise), and the message comes back with an attachment object per file: id, filename, size, url, proxy_url.
  attachmentsOf(channelId, body, files) {
    const total = files.reduce((n, f) => n + f.data.length, 0);
    if (total > this.options.uploadLimit) throw new DiscordError(413, 40005, 'Request entity too large');
    const declared = body.attachments ?? [];
    const errors = [];
    for (const f of files) if (!/^files\[\d+\]$/.test(f.field)) errors.push(`${f.field}: not a files[n] part`);
    for (const a of declared) {
      if (!files.some((f) => f.field === `files[${a.id}]`)) errors.push(`attachments: ${a.id} names no files[${a.id}] part`);
    }
    if (errors.length) throw new DiscordError(400, 50035, 'Invalid Form Body', { errors });
    return files.map((f) => {
      const index = f.field.slice(6, -1);
      const meta = declared.find((a) => String(a.id) === index) ?? {};
      const id = snowflake();
      const filename = meta.filename ?? f.filename;
      const contentType = f.contentType || 'application/octet-stream';
      this.uploads.set(id, { filename, content_type: contentType, data: f.data });
      const url = `${this.url}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
      return { id, filename, size: f.data.length, url, proxy_url: url, content_type: contentType,
        ...(meta.description ? { description: meta.description } : {}) };
    });
  }

  postMessage(channelId, body, files = []) {
    const dmUser = [...this.dmChannels.entries()].find(([, c]) => c === channelId)?.[0];
    if (dmUser) {
      if (this.dmClosed.has(dmUser)) throw new DiscordError(403, 50007, 'Cannot send messages to this user');
    } else {
      const channel = this.guild.channels.get(channelId);
      if (!channel) throw new DiscordError(404, 10003, 'Unknown Channel');
      if ((this.permissionsOf(this.bot.id) & P.SendMessages) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      if (channel.botDenied) throw new DiscordError(403, 50001, 'Missing Access');
    }
    this.validateMessage(body, files);
    if (typeof body.nonce === 'string' && body.nonce.length > 25) throw new DiscordError(400, 50035, 'Invalid Form Body', { errors: { nonce: 'Must be 25 or fewer in length.' } });
    // enforce_nonce: the same nonce from the same author in the same channel within a few minutes returns the
    // message created the first time instead of creating another.
    const nonceKey = body.nonce !== undefined && body.nonce !== null && body.enforce_nonce ? `${channelId}:${this.bot.id}:${body.nonce}` : null;
    if (nonceKey) {
      const seen = this.nonces.get(nonceKey);
      if (seen && Date.now() - seen.at < this.options.nonceWindowMs) { this.nonceHits = (this.nonceHits ?? 0) + 1; return seen.message; }
    }
    const m = this.messageFrom(channelId, body);
    m.attachments = this.attachmentsOf(channelId, body, files);
    if (body.nonce !== undefined && body.nonce !== null) m.nonce = body.nonce;
    if (nonceKey) this.nonces.set(nonceKey, { message: m, at: Date.now() });
    if (!dmUser) m.guild_id = this.guild.id;
    if (!this.messages.has(channelId)) this.messages.set(channelId, []);
    this.messages.get(channelId).push(m);
    this.dispatch('MESSAGE_CREATE', m, dmUser ? GatewayIntentBits.DirectMessages : GatewayIntentBits.GuildMessages);
    this.onBotMessage?.(m);
    return m;
  }

  // PATCH /channels/{channel.id}/messages/{message.id} (Edit Message): the fields given replace the message's own;
  // only its author may change content, embeds and components (50005 otherwise); an unknown message is 10008.
  // Returns the message, and MESSAGE_UPDATE goes out on the gateway.
  editMessage(channelId, messageId, body) {
    const channel = this.guild.channels.get(channelId);
    const dm = [...this.dmChannels.values()].includes(channelId);
    if (!channel && !dm) throw new DiscordError(404, 10003, 'Unknown Channel');
    const m = (this.messages.get(channelId) ?? []).find((x) => x.id === messageId);
    if (!m) throw new DiscordError(404, 10008, 'Unknown Message');
    if (m.author.id !== this.bot.id && ['content', 'embeds', 'components'].some((k) => k in body)) {
      throw new DiscordError(403, 50005, 'Cannot edit a message authored by another user');
    }
    this.validateMessage({ ...m, ...body });
    for (const k of ['content', 'embeds', 'components', 'flags', 'allowed_mentions']) if (k in body) m[k] = body[k];
    m.edited_timestamp = new Date().toISOString();
    this.edits = (this.edits ?? 0) + 1;
    this.dispatch('MESSAGE_UPDATE', m, dm ? GatewayIntentBits.DirectMessages : GatewayIntentBits.GuildMessages);
    return m;
  }

  // GET /channels/{id}/messages: around, before or after a message id (one of them), limit 1-100 (50 by
  // default); the newest first. Messages read over REST carry no guild_id or member (those are gateway extras);
  // without the Message Content intent, others' guild messages come without their content.
  history(channelId, query) {
    const isDm = [...this.dmChannels.values()].includes(channelId);
    if (!isDm) {
      if (!this.guild.channels.has(channelId)) throw new DiscordError(404, 10003, 'Unknown Channel');
      if ((this.permissionsOf(this.bot.id) & P.ReadMessageHistory) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
    }
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new DiscordError(400, 50035, 'Invalid Form Body');
    const anchors = ['around', 'before', 'after'].filter((k) => query.has(k));
    if (anchors.length > 1) throw new DiscordError(400, 50035, 'Invalid Form Body');
    for (const k of anchors) if (!/^\d+$/.test(query.get(k))) throw new DiscordError(400, 50035, 'Invalid Form Body');
    const all = [...(this.messages.get(channelId) ?? [])].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    let picked;
    if (query.has('after')) {
      const after = BigInt(query.get('after'));
      picked = all.filter((x) => BigInt(x.id) > after).slice(0, limit);
    } else if (query.has('before')) {
      const before = BigInt(query.get('before'));
      picked = all.filter((x) => BigInt(x.id) < before).slice(-limit);
    } else if (query.has('around')) {
      const around = BigInt(query.get('around'));
      const i = all.findIndex((x) => BigInt(x.id) >= around);
      const at = i < 0 ? all.length : i;
      picked = all.slice(Math.max(0, at - Math.floor(limit / 2)), Math.max(0, at - Math.floor(limit / 2)) + limit);
    } else {
      picked = all.slice(-limit);
    }
    const content = (this.options.enabledIntents & GatewayIntentBits.MessageContent) !== 0;
    return picked.reverse().map(({ guild_id, member, ...x }) => (content || isDm || x.author.id === this.bot.id || x.mentions.some((u) => u.id === this.bot.id)
      ? x : { ...x, content: '', embeds: [], attachments: [], components: [] }));
  }

  interactionByToken(token) {
    for (const i of this.interactions.values()) if (i.token === token) return i;
    throw new DiscordError(404, 10015, 'Unknown Webhook');
  }

  async rest(method, path, body, headers, query = new URLSearchParams(), files = []) {
    const bot = () => {
      if (headers.authorization !== `Bot ${this.options.token}`) throw new DiscordError(401, 0, '401: Unauthorized');
    };
    let m;
    const g = this.guild.id;
    if (method === 'GET' && path === '/gateway/bot') {
      bot();
      return [200, { url: `ws://127.0.0.1:${this.server.address().port}/gateway`, shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86400000, max_concurrency: 1 } }];
    }
    if (method === 'GET' && path === '/users/@me') { bot(); return [200, { ...this.bot, verified: true, mfa_enabled: false, flags: 0 }]; }
    if (method === 'GET' && path === '/applications/@me') {
      bot();
      return [200, { id: this.options.applicationId, name: 'Maxis', icon: null, description: '', bot_public: false,
        bot_require_code_grant: false, verify_key: this.publicKeyHex, flags: this.applicationFlags(), bot: this.bot }];
    }
    if ((m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && method === 'PUT') {
      bot();
      if (m[1] !== this.options.applicationId) throw new DiscordError(403, 50035, 'Invalid application');
      if (m[2] && m[2] !== g) throw new DiscordError(404, 10004, 'Unknown Guild');
      if (!Array.isArray(body) || body.length > 100) throw new DiscordError(400, 50035, 'Invalid Form Body');
      const names = new Set();
      for (const c of body) {
        if (!/^[-_\p{L}\p{N}]{1,32}$/u.test(c.name) || c.name !== c.name.toLowerCase()) throw new DiscordError(400, 50035, `Invalid command name ${c.name}`);
        if (names.has(c.name)) throw new DiscordError(400, 50035, 'Application command names must be unique');
        names.add(c.name);
        if (!c.description || c.description.length > 100) throw new DiscordError(400, 50035, `Invalid description for ${c.name}`);
      }
      this.commands = body.map((c) => ({ ...c, id: snowflake(), application_id: this.options.applicationId, guild_id: m[2], version: snowflake() }));
      return [200, this.commands];
    }
    if (method === 'GET' && path === `/guilds/${g}`) {
      bot();
      // Get Guild: with_counts=true adds approximate_member_count and approximate_presence_count (the simulator
      // has no presences: 0).
      const counts = query.get('with_counts') === 'true'
        ? { approximate_member_count: this.guild.members.size, approximate_presence_count: 0 } : {};
      return [200, { ...this.guildObject(false), ...counts }];
    }
    if ((m = path.match(/^\/guilds\/(\d+)/)) && m[1] !== g) { bot(); throw new DiscordError(404, 10004, 'Unknown Guild'); }
    if (method === 'GET' && path === `/guilds/${g}/roles`) { bot(); return [200, [...this.guild.roles.values()]]; }
    if (path === `/guilds/${g}/members` && method === 'GET') {
      bot();
      const q = query;
      const limit = Number(q.get('limit') ?? 1);
      if (!(limit >= 1 && limit <= 1000)) throw new DiscordError(400, 50035, 'Invalid Form Body');
      const after = BigInt(q.get('after') ?? '0');
      const ids = [...this.guild.members.keys()].filter((id) => BigInt(id) > after).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      return [200, ids.slice(0, limit).map((id) => this.memberObject(id))];
    }
    if ((m = path.match(/^\/guilds\/\d+\/members\/(\d+)$/)) && method === 'GET') {
      bot();
      const member = this.memberObject(m[1]);
      if (!member) throw new DiscordError(404, 10007, 'Unknown Member');
      return [200, member];
    }
    if ((m = path.match(/^\/guilds\/\d+\/members\/(\d+)\/roles\/(\d+)$/)) && (method === 'PUT' || method === 'DELETE')) {
      bot();
      const [, userId, roleId] = m;
      const role = this.guild.roles.get(roleId);
      if (!role) throw new DiscordError(404, 10011, 'Unknown Role');
      const member = this.guild.members.get(userId);
      if (!member) throw new DiscordError(404, 10007, 'Unknown Member');
      if ((this.permissionsOf(this.bot.id) & P.ManageRoles) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      if (role.position >= this.topPosition(this.bot.id)) throw new DiscordError(403, 50013, 'Missing Permissions');
      const has = member.roles.includes(roleId);
      if (method === 'PUT' && !has) member.roles.push(roleId);
      if (method === 'DELETE' && has) member.roles = member.roles.filter((r) => r !== roleId);
      this.auditLog.push({ action: method === 'PUT' ? 'role_add' : 'role_remove', user: userId, role: roleId, reason: headers['x-audit-log-reason'] ? decodeURIComponent(headers['x-audit-log-reason']) : null });
      this.dispatch('GUILD_MEMBER_UPDATE', { guild_id: g, ...this.memberObject(userId) }, GatewayIntentBits.GuildMembers);
      return [204, null];
    }
    if (method === 'POST' && path === `/guilds/${g}/channels`) {
      bot();
      if ((this.permissionsOf(this.bot.id) & P.ManageChannels) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      if (!body.name || body.name.length > 100) throw new DiscordError(400, 50035, 'Invalid Form Body');
      const c = this.addChannel({ name: body.name, type: body.type ?? 0, topic: body.topic ?? null, parent_id: body.parent_id ?? null,
        permission_overwrites: (body.permission_overwrites ?? []).map((o) => ({ id: o.id, type: o.type, allow: String(o.allow ?? 0), deny: String(o.deny ?? 0) })) });
      this.dispatch('CHANNEL_CREATE', c, GatewayIntentBits.Guilds);
      return [201, c];
    }
    // Get Guild Invites (Manage Server): every live invite with its metadata. Get Guild Vanity URL (Manage Server):
    // { code, uses }, code null without one.
    if (method === 'GET' && path === `/guilds/${g}/invites`) {
      bot();
      if ((this.permissionsOf(this.bot.id) & P.ManageGuild) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      return [200, [...this.invites.keys()].map((c) => this.liveInvite(c)).filter(Boolean).map((i) => this.inviteObject(i))];
    }
    if (method === 'GET' && path === `/guilds/${g}/vanity-url`) {
      bot();
      if ((this.permissionsOf(this.bot.id) & P.ManageGuild) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      return [200, { code: this.vanity.code, uses: this.vanity.uses }];
    }
    if ((m = path.match(/^\/channels\/(\d+)\/invites$/)) && method === 'POST') {
      bot();
      return [200, this.inviteObject(this.createInvite(m[1], this.bot.id, body ?? {}))];
    }
    if ((m = path.match(/^\/channels\/(\d+)\/invites$/)) && method === 'GET') {
      bot();
      if (!this.guild.channels.has(m[1])) throw new DiscordError(404, 10003, 'Unknown Channel');
      if ((this.permissionsOf(this.bot.id) & P.ManageChannels) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      return [200, [...this.invites.keys()].map((c) => this.liveInvite(c)).filter((i) => i && i.channel_id === m[1]).map((i) => this.inviteObject(i))];
    }
    // Delete Invite: Manage Channels on its channel or Manage Server; returns the invite object.
    if ((m = path.match(/^\/invites\/([A-Za-z0-9-]+)$/)) && method === 'DELETE') {
      bot();
      if (!this.liveInvite(m[1])) throw new DiscordError(404, 10006, 'Unknown Invite');
      if ((this.permissionsOf(this.bot.id) & (P.ManageChannels | P.ManageGuild)) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      const inv = this.invites.get(m[1]);
      const answer = this.inviteObject(inv, false);
      this.deleteInvite(m[1]);
      return [200, answer];
    }
    if ((m = path.match(/^\/channels\/(\d+)$/)) && method === 'GET') {
      bot();
      const c = this.guild.channels.get(m[1]);
      if (!c) throw new DiscordError(404, 10003, 'Unknown Channel');
      return [200, c];
    }
    if ((m = path.match(/^\/channels\/(\d+)$/)) && method === 'PATCH') {
      bot();
      const c = this.guild.channels.get(m[1]);
      if (!c) throw new DiscordError(404, 10003, 'Unknown Channel');
      if ((this.permissionsOf(this.bot.id) & P.ManageChannels) === 0n) throw new DiscordError(403, 50013, 'Missing Permissions');
      if (body.name !== undefined && (!body.name || body.name.length > 100)) throw new DiscordError(400, 50035, 'Invalid Form Body');
      if (body.name !== undefined) c.name = body.name;
      if (body.topic !== undefined) c.topic = body.topic;
      if (body.parent_id !== undefined) c.parent_id = body.parent_id;
      if (body.permission_overwrites !== undefined) {
        c.permission_overwrites = body.permission_overwrites.map((o) => ({ id: o.id, type: o.type, allow: String(o.allow ?? 0), deny: String(o.deny ?? 0) }));
      }
      this.auditLog.push({ action: 'channel_update', channel: c.id, reason: headers['x-audit-log-reason'] ? decodeURIComponent(headers['x-audit-log-reason']) : null });
      this.dispatch('CHANNEL_UPDATE', c, GatewayIntentBits.Guilds);
      return [200, c];
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'POST') { bot(); return [200, this.postMessage(m[1], body, files)]; }
    if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'GET') { bot(); return [200, this.history(m[1], query)]; }
    if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/)) && method === 'PATCH') { bot(); return [200, this.editMessage(m[1], m[2], body)]; }
    if (method === 'POST' && path === '/users/@me/channels') {
      bot();
      const user = this.users.get(String(body.recipient_id));
      if (!user) throw new DiscordError(400, 50033, 'Invalid Recipient(s)');
      if (!this.dmChannels.has(user.id)) { const id = snowflake(); this.dmChannels.set(user.id, id); this.messages.set(id, []); }
      return [200, { id: this.dmChannels.get(user.id), type: 1, last_message_id: null, flags: 0, recipients: [user] }];
    }
    if ((m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)) && method === 'POST') {
      const i = this.interactions.get(m[1]);
      if (!i || i.token !== m[2] || Date.now() - i.created > this.options.interactionDeadlineMs) throw new DiscordError(404, 10062, 'Unknown interaction');
      if (i.response) throw new DiscordError(400, 40060, 'Interaction has already been acknowledged.');
      this.acknowledge(i, body);
      return [204, null];
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/))) {
      const i = this.interactionByToken(m[2]);
      if (m[1] !== this.options.applicationId || !i.response) throw new DiscordError(404, 10015, 'Unknown Webhook');
      if (method === 'GET') return [200, i.original];
      if (method === 'PATCH') {
        this.validateMessage({ ...i.original, ...body });
        i.original = { ...i.original, ...body, edited_timestamp: new Date().toISOString() };
        i.edits += 1;
        return [200, i.original];
      }
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)$/)) && method === 'POST') {
      const i = this.interactionByToken(m[2]);
      if (m[1] !== this.options.applicationId || !i.response) throw new DiscordError(404, 10015, 'Unknown Webhook');
      this.validateMessage(body);
      const msg = this.messageFrom(i.channel_id, body);
      i.followups.push(msg);
      return [200, msg];
    }
    throw new DiscordError(404, 0, '404: Not Found');
  }

  acknowledge(i, body) {
    const t = body.type;
    const allowed = i.type === InteractionType.Ping ? [InteractionResponseType.Pong]
      : i.type === InteractionType.ApplicationCommand ? [4, 5, 9]
      : i.type === InteractionType.MessageComponent ? [4, 5, 6, 7, 9] : [4, 5, 6, 7];
    if (!allowed.includes(t)) throw new DiscordError(400, 50035, `Interaction response type ${t} not allowed here`);
    if (t === 4) this.validateMessage(body.data ?? {});
    i.response = body;
    i.acknowledgedAt = performance.now();
    i.acknowledgedWall = Date.now();
    if (t === 4 || t === 5) i.original = this.messageFrom(i.channel_id, body.data ?? {});
    if (t === 5) i.original.content = '';
    this.onAcknowledge?.(i);
  }

  // ---- interactions created by tests -------------------------------------------------------------------
  async createInteraction({ type, user, channel = this.general.id, dm = false, name, options = [], custom_id, values, fields, locale = 'fr', mode = 'gateway' }) {
    const u = this.users.get(user) ?? this.addUser({ id: user });
    const id = snowflake();
    const token = `itok-${crypto.randomBytes(24).toString('base64url')}`;
    // Attachment options (type 11) are given as { name, type: 11, attachment: { filename, content_type, url } }:
    // as Discord does, the option's value becomes the attachment's id and the attachment goes in resolved.
    const attachments = {};
    options = options.map((o) => {
      if (o.type !== 11 || !o.attachment) return o;
      const aid = snowflake();
      attachments[aid] = { id: aid, filename: o.attachment.filename, size: o.attachment.size ?? 1024, content_type: o.attachment.content_type,
        url: o.attachment.url, proxy_url: o.attachment.url.replace('cdn.discordapp.com', 'media.discordapp.net'), ephemeral: true };
      return { name: o.name, type: 11, value: aid };
    });
    const data = type === InteractionType.ApplicationCommand
      ? { id: this.commands.find((c) => c.name === name)?.id ?? snowflake(), name, type: 1, options,
        ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}) }
      : type === InteractionType.MessageComponent
        ? { custom_id, component_type: values ? 3 : 2, ...(values ? { values } : {}) }
        : type === InteractionType.ModalSubmit
          ? { custom_id, components: Object.entries(fields ?? {}).map(([k, v]) => ({ type: 1, components: [{ type: 4, custom_id: k, value: v }] })) }
          : undefined;
    const interaction = { id, application_id: this.options.applicationId, type, token, version: 1, locale, app_permissions: String(this.permissionsOf(this.bot.id)),
      entitlements: [], authorizing_integration_owners: {}, context: dm ? 1 : 0, ...(data ? { data } : {}) };
    if (type !== InteractionType.Ping) {
      if (dm) {
        interaction.user = u;
        interaction.channel_id = this.dmChannels.get(u.id) ?? snowflake();
      } else {
        interaction.guild_id = this.guild.id;
        interaction.channel_id = channel;
        const member = this.memberObject(u.id) ?? { user: u, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
        interaction.member = { ...member, permissions: String(this.permissionsOf(u.id)) };
      }
      interaction.channel = { id: interaction.channel_id, type: dm ? 1 : 0 };
    }
    const record = { id, token, type, created: Date.now(), createdPerf: performance.now(), channel_id: interaction.channel_id, response: null, original: null, edits: 0, followups: [], httpStatus: null };
    this.interactions.set(id, record);
    if (mode === 'http') {
      const body = JSON.stringify(interaction);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = crypto.sign(null, Buffer.from(timestamp + body), this.privateKey).toString('hex');
      const res = await fetch(this.options.interactionsUrl, { method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp } });
      record.httpStatus = res.status;
      if (res.ok) {
        const response = await res.json();
        try { this.checkBody('POST', `/interactions/${id}/${token}/callback`, response); this.acknowledge(record, response); } catch (e) { record.httpError = e.message; }
      }
    } else {
      this.dispatch('INTERACTION_CREATE', interaction);
    }
    return { id, token };
  }

  interactionView(id) {
    const i = this.interactions.get(id);
    if (!i) return null;
    return { id: i.id, acknowledged: !!i.response, response_type: i.response?.type ?? null, response: i.response, original: i.original,
      edits: i.edits, followups: i.followups, ephemeral: !!((i.response?.data?.flags ?? 0) & 64), http_status: i.httpStatus,
      latency_ms: i.acknowledgedAt ? i.acknowledgedAt - i.createdPerf : null };
  }

  // ---- HTTP server -------------------------------------------------------------------------------------
  async control(method, path, body) {
    let m;
    const json = (status, value) => [status, value];
    if (method === 'GET' && path === '/_sim/state') {
      return json(200, { gateway: { ...this.gatewayStats, sessions: [...this.sessions.values()].map((s) => ({ id: s.id, seq: s.seq, connected: !!s.ws, intents: s.intents })) },
        public_key: this.publicKeyHex, guild_id: this.guild.id, application_id: this.options.applicationId, bot_id: this.bot.id,
        channels: { general: this.general.id, staff: this.staffChannel.id, fallback: this.fallbackChannel.id },
        roles: { bot: this.botRole.id, staff: this.staffRole.id, pro: this.paidRole.id, high: this.highRole.id, ultra: this.ultraRole.id, founder: this.founderRole.id },
        rate_limited: this.rateLimited.route + this.rateLimited.global, rate_limited_by: { ...this.rateLimited }, rate_limit_log: this.rateLimitLog,
        edge_5xx: this.edge5xx, held_identifies: this.heldIdentifies.length, nonce_hits: this.nonceHits ?? 0, validation_errors: this.validationErrors });
    }
    if (method === 'POST' && path === '/_sim/messages') {
      const u = this.users.get(body.user) ?? this.addUser({ id: body.user, username: body.username });
      const dm = !!body.dm;
      let channelId = body.channel ?? this.general.id;
      if (dm) {
        if (!this.dmChannels.has(u.id)) { const id = snowflake(); this.dmChannels.set(u.id, id); this.messages.set(id, []); }
        channelId = this.dmChannels.get(u.id);
      }
      // A reply (body.reply_to: a message id in the channel): message_reference names it and, on the gateway,
      // referenced_message carries it (null when it no longer exists); the message's type is 19 (REPLY).
      const replied = body.reply_to ? (this.messages.get(channelId) ?? []).find((x) => x.id === body.reply_to) ?? null : undefined;
      const msg = this.messageFrom(channelId, { content: body.content,
        ...(body.reply_to ? { message_reference: { message_id: body.reply_to, guild_id: dm ? undefined : this.guild.id } } : {}) }, u);
      if (body.reply_to) msg.referenced_message = replied;
      msg.attachments = (body.attachments ?? []).map((a) => ({ id: snowflake(), filename: a.filename ?? 'image.png', size: a.size ?? 1024,
        url: a.url, proxy_url: a.url, content_type: a.content_type ?? 'image/png', width: 64, height: 64 }));
      if (!dm) { msg.guild_id = this.guild.id; msg.member = this.memberObject(u.id) ?? { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false }; delete msg.member.user; }
      this.messages.get(channelId).push(msg);
      this.dispatch('MESSAGE_CREATE', msg, dm ? GatewayIntentBits.DirectMessages : GatewayIntentBits.GuildMessages);
      return json(200, msg);
    }
    if (method === 'POST' && path === '/_sim/interactions') return json(200, await this.createInteraction(body));
    if ((m = path.match(/^\/_sim\/interactions\/(\d+)$/)) && method === 'GET') return json(200, this.interactionView(m[1]));
    if ((m = path.match(/^\/_sim\/channels\/(\d+)\/messages$/)) && method === 'GET') return json(200, this.messages.get(m[1]) ?? []);
    if ((m = path.match(/^\/_sim\/dms\/(\d+)$/)) && method === 'GET') {
      const c = this.dmChannels.get(m[1]);
      return json(200, c ? this.messages.get(c).filter((x) => x.author.id === this.bot.id) : []);
    }
    if ((m = path.match(/^\/_sim\/dms\/(\d+)\/closed$/)) && method === 'PUT') { body.closed ? this.dmClosed.add(m[1]) : this.dmClosed.delete(m[1]); return json(200, {}); }
    if (method === 'GET' && path === '/_sim/channels') return json(200, [...this.guild.channels.values()]);
    if (method === 'POST' && path === '/_sim/channels') {
      const c = this.addChannel({ name: body.name });
      this.dispatch('CHANNEL_CREATE', c, GatewayIntentBits.Guilds);
      return json(200, c);
    }
    if (method === 'POST' && path === '/_sim/members') {
      const u = this.users.get(body.user) ??
        this.addUser({ id: body.user, username: body.username, global_name: body.global_name ?? null, avatar: body.avatar ?? null });
      this.guild.members.set(u.id, { roles: body.roles ?? [], nick: body.nick ?? null, avatar: body.member_avatar ?? null,
        joined_at: new Date().toISOString() });
      this.dispatch('GUILD_MEMBER_ADD', { guild_id: this.guild.id, ...this.memberObject(u.id) }, GatewayIntentBits.GuildMembers);
      return json(200, this.memberObject(u.id));
    }
    if ((m = path.match(/^\/_sim\/members\/(\d+)$/))) {
      if (method === 'GET') return json(200, this.memberObject(m[1]));
      if (method === 'DELETE') {
        this.guild.members.delete(m[1]);
        this.dispatch('GUILD_MEMBER_REMOVE', { guild_id: this.guild.id, user: this.users.get(m[1]) }, GatewayIntentBits.GuildMembers);
        return json(200, {});
      }
      if (method === 'PATCH') {
        const member = this.guild.members.get(m[1]);
        if (body.roles !== undefined) member.roles = body.roles;
        if (body.nick !== undefined) member.nick = body.nick;
        this.dispatch('GUILD_MEMBER_UPDATE', { guild_id: this.guild.id, ...this.memberObject(m[1]) }, GatewayIntentBits.GuildMembers);
        return json(200, this.memberObject(m[1]));
      }
    }
    if (method === 'POST' && path === '/_sim/roles') {
      const r = this.addRole({ name: body.name, position: body.position ?? 2, permissions: body.permissions ?? '0' });
      this.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guild.id, role: r }, GatewayIntentBits.Guilds);
      return json(200, r);
    }
    if ((m = path.match(/^\/_sim\/roles\/(\d+)$/)) && method === 'PATCH') {
      Object.assign(this.guild.roles.get(m[1]), body);
      this.dispatch('GUILD_ROLE_UPDATE', { guild_id: this.guild.id, role: this.guild.roles.get(m[1]) }, GatewayIntentBits.Guilds);
      return json(200, this.guild.roles.get(m[1]));
    }
    // Invites: a member creates one as the client would (POST /channels/{id}/invites on their behalf), someone joins
    // through a code, the vanity URL or neither, and the guild's vanity URL is set.
    if (method === 'POST' && path === '/_sim/invites') {
      const inviter = this.users.get(body.inviter) ?? this.addUser({ id: body.inviter, username: body.username });
      const { inviter: _, channel, username: __, ...options } = body;
      return json(200, this.inviteObject(this.createInvite(channel ?? this.general.id, inviter.id, { unique: true, ...options })));
    }
    if (method === 'GET' && path === '/_sim/invites') return json(200, [...this.invites.values()]);
    if (method === 'POST' && path === '/_sim/joins') return json(200, this.join(body));
    if (method === 'PUT' && path === '/_sim/vanity') { this.vanity = { code: body.code ?? null, uses: body.uses ?? 0 }; return json(200, this.vanity); }
    if (method === 'GET' && path === '/_sim/commands') return json(200, this.commands);
    if (method === 'GET' && path === '/_sim/requests') return json(200, this.requests);
    if (method === 'GET' && path === '/_sim/audit-log') return json(200, this.auditLog);
    if (method === 'POST' && path === '/_sim/faults') { this.fault(body); return json(200, {}); }
    if (method === 'POST' && path === '/_sim/ratelimits') { this.injected429.push({ route: body.route ?? '*', count: body.count ?? 1, retry_after: body.retry_after ?? 1, global: !!body.global }); return json(200, {}); }
    if (method === 'PATCH' && path === '/_sim/options') { Object.assign(this.options, body); return json(200, this.options); }
    throw new DiscordError(404, 0, `no control route ${method} ${path}`);
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const rawBytes = Buffer.concat(chunks);
    const raw = rawBytes.toString('utf8');
    const url = new URL(req.url, 'http://sim');
    let path = url.pathname;
    const send = (status, value, extraHeaders = {}) => {
      for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
      if (status === 204 || value === null) { res.writeHead(status); res.end(); return; }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    // The attachments' CDN: what was uploaded, as it was uploaded, without authentication.
    let a;
    if (req.method === 'GET' && (a = path.match(/^\/attachments\/(\d+)\/(\d+)\/[^/]+$/)) && this.uploads.has(a[2])) {
      const u = this.uploads.get(a[2]);
      res.writeHead(200, { 'content-type': u.content_type, 'content-length': String(u.data.length) });
      res.end(u.data);
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    let body;
    let files = [];
    if (contentType.startsWith('multipart/form-data')) {
      try { ({ body, files } = await parseMultipart(rawBytes, contentType)); } catch (e) { send(400, { message: `400: Bad Request (${e.message})`, code: 50109 }); return; }
    } else {
      try { body = raw ? JSON.parse(raw) : undefined; } catch { send(400, { message: '400: Bad Request', code: 50109 }); return; }
    }
    try {
      if (path.startsWith('/_sim/')) { const [s, v] = await this.control(req.method, path, body); send(s, v); return; }
      if (!path.startsWith('/api/v10/')) throw new DiscordError(404, 0, '404: Not Found');
      path = path.slice('/api/v10'.length);
      this.requests.push({ method: req.method, path, body, at: Date.now(), user_agent: req.headers['user-agent'] ?? '' });
      if (!/^DiscordBot \(\S+, \S+\)/.test(req.headers['user-agent'] ?? '')) this.validationErrors.push(`${req.method} ${path}: User-Agent '${req.headers['user-agent']}' is not 'DiscordBot ($url, $version)'`);
      if (body !== undefined) {
        const multipartAllowed = req.method === 'POST' && /^\/channels\/\d+\/messages$/.test(path);
        if (!contentType.startsWith('application/json') && !(multipartAllowed && contentType.startsWith('multipart/form-data'))) {
          this.validationErrors.push(`${req.method} ${path}: body without Content-Type: application/json`);
        }
        this.checkBody(req.method, path, body);
      }
      this.rateLimit(req.method, path, res);
      const [status, value] = await this.rest(req.method, path, body, req.headers, url.searchParams, files);
      if (this.faults.createThen5xx > 0 && req.method === 'POST' && /^\/channels\/\d+\/messages$/.test(path) && status === 200) {
        // The message exists now; the answer is lost at the edge, which says 502 in HTML, without rate-limit headers.
        this.faults.createThen5xx -= 1;
        this.edge5xx += 1;
        for (const h of res.getHeaderNames()) res.removeHeader(h);
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
        return;
      }
      send(status, value);
    } catch (e) {
      if (e instanceof DiscordError) {
        const payload = e.status === 429 ? { message: e.message, retry_after: e.extra.retry_after, global: e.extra.global, code: 0 }
          : { message: e.message, code: e.code, ...(e.extra.errors ? { errors: e.extra.errors } : {}) };
        send(e.status, payload);
      } else {
        send(500, { message: String(e?.stack ?? e), code: 0 });
      }
    }
  }

  async start(port = 0) {
    this.auditLog = [];
    this.server = http.createServer((req, res) => { this.handle(req, res); });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url, 'http://sim').pathname;
      if (path !== '/gateway' && path !== '/resume-gateway') { socket.destroy(); return; }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws));
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const p = this.server.address().port;
    this.url = `http://127.0.0.1:${p}`;
    this.apiBase = `${this.url}/api/v10`;
    return this;
  }

  async stop() {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export async function startSimulator(options = {}) {
  return new DiscordSimulator(options).start(options.port ?? 0);
}
