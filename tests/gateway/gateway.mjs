// Test gateway: a real wechaty-puppet-service server over a mock puppet.
// Reads JSON-line commands on stdin, writes JSON-line events on stdout.
import readline from 'node:readline'
import { PuppetServer } from 'wechaty-puppet-service'
import { PuppetMock, mock } from 'wechaty-puppet-mock'

const port = process.env.GATEWAY_PORT || '8788'
const token = process.env.GATEWAY_TOKEN || 'insecure_test'
const mocker = new mock.Mocker()
const puppet = new PuppetMock({ mocker })
const server = new PuppetServer({ endpoint: `127.0.0.1:${port}`, puppet, token })
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

const contacts = new Map()
const rooms = new Map()
let bot

puppet.on('message', async ({ messageId }) => {
  const p = await puppet.messagePayload(messageId)
  out({ event: 'message', id: messageId, talkerId: p.talkerId || p.fromId, roomId: p.roomId || null,
        listenerId: p.listenerId || p.toId || null, text: p.text || '', type: p.type, filename: p.filename || null })
})

async function handle (cmd) {
  switch (cmd.op) {
    case 'contact': {
      const c = mocker.createContact({ id: cmd.id, name: cmd.name || cmd.id })
      contacts.set(cmd.id, c); return { id: cmd.id }
    }
    case 'room': {
      const r = mocker.createRoom({ id: cmd.id, topic: cmd.topic, memberIdList: cmd.members })
      rooms.set(cmd.id, r); return { id: cmd.id }
    }
    case 'login': {
      bot = mocker.createContact({ id: cmd.id, name: cmd.name || 'unionbot' })
      contacts.set(cmd.id, bot)
      mocker.login(bot); return { id: cmd.id }
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

await server.start()
out({ event: 'listening', port })
const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (!line.trim()) return
  let cmd
  try { cmd = JSON.parse(line) } catch (e) { out({ event: 'error', error: String(e) }); return }
  try { out({ event: 'ack', seq: cmd.seq ?? null, result: await handle(cmd) }) } catch (e) { out({ event: 'error', seq: cmd.seq ?? null, error: String(e) }) }
})
rl.on('close', async () => { await server.stop(); process.exit(0) })
