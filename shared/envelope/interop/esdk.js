// Usage: node --security-revert=CVE-2023-46809 esdk.js RESULTS.json < JOB.json
// Encrypts or decrypts a batch of messages with the official AWS Encryption SDK for JavaScript,
// for keyward's interoperability tests. Reads a JSON job on stdin, writes JSON results to the file named by its argument:
//   {"mode": "encrypt"|"decrypt", "cases": [{"id", "keyring", "policy", ...}]}
// keyring: {"type": "aes", "namespace", "name", "key": base64}
//        | {"type": "rsa", "namespace", "name", "padding": "pkcs1"|"oaep-sha1"|..., "private": PEM, "public": PEM}
// encrypt cases carry "plaintext" (base64), "context", "suite" and "frameLength"; decrypt cases
// carry "ciphertext" (base64). Run with --security-revert=CVE-2023-46809 for PKCS#1 v1.5.
'use strict'
const crypto = require('crypto')
const {
  buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, RawRsaKeyringNode,
} = require('@aws-crypto/client-node')

function keyring (k) {
  if (k.type === 'aes') {
    const key = new Uint8Array(Buffer.from(k.key, 'base64')) // an isolated buffer, as the SDK requires
    const wrappingSuite = {
      16: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
      24: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
      32: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }[key.length]
    return new RawAesKeyringNode({ keyName: k.name, keyNamespace: k.namespace, unencryptedMasterKey: key, wrappingSuite })
  }
  if (k.type === 'rsa') {
    const rsaKey = {}
    if (k.private) rsaKey.privateKey = k.private
    if (k.public) rsaKey.publicKey = k.public
    const opts = { keyName: k.name, keyNamespace: k.namespace, rsaKey }
    if (k.padding === 'pkcs1') {
      opts.padding = crypto.constants.RSA_PKCS1_PADDING
    } else {
      opts.padding = crypto.constants.RSA_PKCS1_OAEP_PADDING
      opts.oaepHash = k.padding.replace('oaep-', '')
    }
    return new RawRsaKeyringNode(opts)
  }
  throw new Error('unknown keyring type ' + k.type)
}

async function run (job) {
  const results = []
  for (const c of job.cases) {
    const client = buildClient(CommitmentPolicy[c.policy || 'REQUIRE_ENCRYPT_ALLOW_DECRYPT'])
    try {
      const kr = keyring(c.keyring)
      if (job.mode === 'encrypt') {
        const { result } = await client.encrypt(kr, Buffer.from(c.plaintext || '', 'base64'), {
          encryptionContext: c.context || {}, suiteId: c.suite, frameLength: c.frameLength || 4096,
        })
        results.push({ id: c.id, ciphertext: Buffer.from(result).toString('base64') })
      } else {
        const { plaintext, messageHeader } = await client.decrypt(kr, Buffer.from(c.ciphertext, 'base64'))
        results.push({ id: c.id, plaintext: Buffer.from(plaintext).toString('base64'), context: messageHeader.encryptionContext })
      }
    } catch (e) {
      results.push({ id: c.id, error: String(e && e.message ? e.message : e) })
    }
  }
  return { results }
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => { input += d })
process.stdin.on('end', () => {
  run(JSON.parse(input)).then(
    // Node prints a security warning on stdout under --security-revert: results go to a file.
    (out) => require('fs').writeFileSync(process.argv[2], JSON.stringify(out)),
    (e) => { console.error(e); process.exit(1) })
})
