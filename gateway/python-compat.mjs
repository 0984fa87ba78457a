// python-wechaty 0.10.7 speaks an older dialect of the puppet-service protocol. One difference matters:
// it sends a contact's new remark (ContactAlias) in the deprecated wrapper field (2), and
// wechaty-puppet-service 1.19.9 reads only the new field (3), so every "set remark" was silently
// answered as a read. unionbot relies on remarks (a member code that survives new contact ids), so
// the gateway reads the old field when the new one is absent. Imported by serve.mjs and the test harness.
import { puppet as grpcPuppet } from 'wechaty-grpc'

const Request = grpcPuppet.ContactAliasRequest.prototype
const hasAlias = Request.hasAlias
const getAlias = Request.getAlias
Request.hasAlias = function () {
  return hasAlias.call(this) || this.hasAliasStringValueDeprecated()
}
Request.getAlias = function () {
  return hasAlias.call(this) ? getAlias.call(this) : this.getAliasStringValueDeprecated()?.getValue()
}
