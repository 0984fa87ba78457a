// The mock puppet's control protocol, for tests and demos: JSON-line commands on stdin
// (make people, rooms, the bot's login; make someone speak), JSON-line events on stdout
// (every message the puppet sees, the bot's own included).
import readline from 'node:readline'

export function attachControl (mocker, puppet, server) {
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
  const contacts = new Map()
  const rooms = new Map()
  let bot

  puppet.on('message', async ({ messageId }) => {
    const p = await puppet.messagePayload(messageId)
    out({ event: 'message', id: messageId, talkerId: p.talkerId || p.fromId, roomId: p.roomId || null,
          listenerId: p.listenerId || p.toId || null, text: p.text || '', type: p.type, filename: p.filename || null })
  })

  // WeChat keeps the remark (备注) the bot's account gives a contact; the mock would forget it.
  puppet.contactAlias = async (contactId, alias) => {
    const payload = mocker.contactPayload(contactId) || {}
    if (typeof alias === 'undefined') return payload.alias || ''
    mocker.contactPayload(contactId, { ...payload, alias })
    out({ event: 'alias', id: contactId, alias })
  }

  // Group aliases (群昵称): the mock has none; tests set them per room and contact.
  const roomAliases = new Map()
  const memberPayload = puppet.roomMemberRawPayload.bind(puppet)
  puppet.roomMemberRawPayload = async (roomId, contactId) => ({
    ...(await memberPayload(roomId, contactId)), roomAlias: roomAliases.get(`${roomId}/${contactId}`) || '',
  })

  async function handle (cmd) {
    switch (cmd.op) {
      case 'contact': {
        const c = mocker.createContact({ id: cmd.id, name: cmd.name || cmd.id, alias: cmd.alias })
        contacts.set(cmd.id, c); return { id: cmd.id }
      }
      case 'room': {
        const r = mocker.createRoom({ id: cmd.id, topic: cmd.topic, memberIdList: cmd.members })
        rooms.set(cmd.id, r); return { id: cmd.id }
      }
      case 'login': {
        // Again after a logout: the same account, not a new contact.
        bot = contacts.get(cmd.id) || mocker.createContact({ id: cmd.id, name: cmd.name || 'unionbot' })
        contacts.set(cmd.id, bot)
        mocker.login(bot); return { id: cmd.id }
      }
      case 'roomalias': {
        roomAliases.set(`${cmd.room}/${cmd.id}`, cmd.alias); return { ok: true }
      }
      case 'logout': {
        await puppet.logout(); return { ok: true }
      }
      case 'rename': {
        rooms.get(cmd.id).topic(cmd.topic).by(contacts.get(cmd.by) || bot); return { ok: true }
      }
      case 'say': {
        const c = contacts.get(cmd.from)
        const mentions = (cmd.mention || []).map((id) => contacts.get(id))
        const target = cmd.room ? rooms.get(cmd.room) : bot
        c.say(cmd.text, mentions.length ? mentions : undefined).to(target)
        return { ok: true }
      }
    }
    throw new Error('unknown op ' + cmd.op)
  }

  const rl = readline.createInterface({ input: process.stdin })
  rl.on('line', async (line) => {
    if (!line.trim()) return
    let cmd
    try { cmd = JSON.parse(line) } catch (e) { out({ event: 'error', error: String(e) }); return }
    try { out({ event: 'ack', seq: cmd.seq ?? null, result: await handle(cmd) }) } catch (e) { out({ event: 'error', seq: cmd.seq ?? null, error: String(e) }) }
  })
  rl.on('close', async () => { await server.stop(); process.exit(0) })
  return out
}
