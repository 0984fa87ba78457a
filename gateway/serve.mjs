// unionbot's WeChat gateway: a wechaty-puppet-service server on 127.0.0.1 over wechat4u (a real
// account, free, web/UOS login) or the mock puppet (tests, demos). Started by `unionbot gateway`,
// which sets the environment below; python-wechaty 0.10.7 then connects with plain gRPC.
//
//   UNIONBOT_GATEWAY_PUPPET  wechat4u | mock
//   UNIONBOT_GATEWAY_PORT    port on 127.0.0.1
//   UNIONBOT_GATEWAY_TOKEN   the token the bot sends (never empty)
//   UNIONBOT_GATEWAY_VAR     where the login QR code and the puppet's memory (the login session) are kept
//
// Why these exact versions (package.json): python-wechaty sends its token in the :authority header,
// which wechaty-puppet-service accepts only up to 1.19.9; and with wechaty-puppet 1.21.x a bot that
// restarts against a running gateway never gets its login event again. Both are pinned, the second
// also for every package that depends on it (overrides).
import fs from 'node:fs'
import path from 'node:path'
import './python-compat.mjs'
import { PuppetServer } from 'wechaty-puppet-service'
import { MemoryCard } from 'memory-card'
import QRCode from 'qrcode'
import qrTerminal from 'qrcode-terminal'

const puppetName = process.env.UNIONBOT_GATEWAY_PUPPET || 'wechat4u'
const port = process.env.UNIONBOT_GATEWAY_PORT || '8788'
const token = process.env.UNIONBOT_GATEWAY_TOKEN || ''
const varDir = process.env.UNIONBOT_GATEWAY_VAR || 'var'
const qrFile = path.join(varDir, 'login-qr.png')
const LOGIN_WAIT_MS = Number(process.env.UNIONBOT_GATEWAY_LOGIN_WAIT_MS || 60000)

const say = (text) => console.error(`[网关 ${new Date().toLocaleString('zh-CN', { hour12: false })}] ${text}`)

if (!token) {
  say('没有令牌（token），网关不启动。请用 unionbot gateway 启动，它会生成并保存令牌。')
  process.exit(2)
}
fs.mkdirSync(varDir, { recursive: true })

let puppet
let control = null
if (puppetName === 'mock') {
  const { PuppetMock, mock } = await import('wechaty-puppet-mock')
  const mocker = new mock.Mocker()
  puppet = new PuppetMock({ mocker })
  control = mocker
} else if (puppetName === 'wechat4u') {
  const { PuppetWechat4u } = await import('wechaty-puppet-wechat4u')
  puppet = new PuppetWechat4u()
  // The login session lives here: a restart of the gateway does not always need a new scan.
  puppet.setMemory(new MemoryCard({ name: path.join(varDir, 'wechat4u') }))
} else {
  say(`不认识的 puppet：${puppetName}（可用：wechat4u、mock）`)
  process.exit(2)
}

// python-wechaty calls stop() then start() on the server every time a bot connects. Stopping the puppet
// would end the WeChat session (wechat4u tears its client down), so a bot restart — the most common
// operation of a year — would cost a new scan. The account's session belongs to the gateway: a client's
// stop() is ignored, and only the gateway's own shutdown stops the puppet.
const stopPuppet = puppet.stop.bind(puppet)
puppet.stop = async () => { say('机器人重新连接（会话保持，不需要重新扫码）') }

let loggedIn = false
puppet.on('scan', async ({ qrcode, status }) => {
  if (!qrcode) return
  say(`请用机器人的微信扫码登录（状态 ${status}）。二维码也保存在 ${qrFile}`)
  qrTerminal.generate(qrcode, { small: true }, (art) => console.error(art))
  try { await QRCode.toFile(qrFile, qrcode) } catch (e) { say(`二维码图片未能保存：${e.message}`) }
})
puppet.on('login', ({ contactId }) => {
  loggedIn = true
  say(`已登录：${contactId}`)
  fs.rmSync(qrFile, { force: true })
})
puppet.on('logout', ({ contactId, data }) => {
  loggedIn = false
  say(`已退出登录（${contactId}${data ? '，' + data : ''}）。请重新扫码：新的二维码会显示在这里和 ${qrFile}`)
})
let lastError = ''
puppet.on('error', (payload) => {
  let text = String(payload?.gerror || payload?.data || payload?.message || payload)
  try { text = JSON.parse(text).details || text } catch (e) { /* not JSON: as it is */ }
  text = text.split('\n')[0].slice(0, 200) // the first line says what happened; the stack helps nobody here
  if (text !== lastError) say(`puppet 报错：${text}`) // wechat4u retries every few seconds: say each error once
  lastError = text
})

const server = new PuppetServer({ endpoint: `127.0.0.1:${port}`, puppet, token })
await server.start()
say(`网关已启动：127.0.0.1:${port}（puppet：${puppetName}）`)
console.log(JSON.stringify({ event: 'listening', port }))

if (control) {
  const { attachControl } = await import('./mock-control.mjs')
  attachControl(control, puppet, server)
} else {
  // Start the account's login now, so the QR code shows at once; a bot connecting later finds it logged in.
  const failed = (why) => {
    const last = lastError ? `（最近的错误：${lastError}）` : ''
    say(`无法连接微信服务器：${why}${last}。请检查这台机器能否访问外网（wx.qq.com、login.wx.qq.com），然后重新运行 unionbot gateway。`)
    process.exit(1)
  }
  const timer = setTimeout(() => {
    if (!loggedIn) failed(`${LOGIN_WAIT_MS / 1000} 秒内没有拿到登录二维码或会话`)
  }, LOGIN_WAIT_MS)
  puppet.once('scan', () => clearTimeout(timer))
  puppet.once('login', () => clearTimeout(timer))
  puppet.start().catch((e) => failed(e?.code || e?.message || String(e)))
}

const stop = async () => {
  say('网关停止')
  try { await server.stop() } catch (e) { /* already stopping */ }
  try { await stopPuppet() } catch (e) { /* not started */ }
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('unhandledRejection', (e) => say(`未处理的错误：${e?.message || e}`))
