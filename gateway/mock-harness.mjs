// Test gateway: a real wechaty-puppet-service server over the mock puppet, driven by the
// JSON-line control protocol of mock-control.mjs (tests/gateway_harness.py speaks it).
import './python-compat.mjs'
import { PuppetServer } from 'wechaty-puppet-service'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { attachControl } from './mock-control.mjs'

const port = process.env.GATEWAY_PORT || '8788'
const token = process.env.GATEWAY_TOKEN || 'insecure_test'
const mocker = new mock.Mocker()
const puppet = new PuppetMock({ mocker })
const server = new PuppetServer({ endpoint: `127.0.0.1:${port}`, puppet, token })
const out = attachControl(mocker, puppet, server)
await server.start()
out({ event: 'listening', port })
