// Package wechattest is the test kit of the WeChat channel: a fake WeChat API server (access
// token, customer-service and template messages) on 127.0.0.1, and a Signer that builds
// callback requests exactly as WeChat's servers send them, signed and, in safe mode,
// encrypted. Tests of adapters/wechat, adapters/notify, cmd/weiyin and tools/loadtest use it.
package wechattest
