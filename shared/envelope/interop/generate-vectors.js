// Generates keyward's committed AWS Encryption SDK decrypt vectors with the official JS SDK
// (@aws-crypto/client-node 5.0.2): an awses-decrypt manifest (version 2) and a keys manifest
// (version 3) under ../testdata/vectors. Run from this folder after `npm ci`:
//   node --security-revert=CVE-2023-46809 generate-vectors.js
// Regenerating makes new random data keys, IVs and signatures; the keys and plaintexts are fixed
// here. Keep the set small: small plaintexts, a 2048-bit RSA key.
//
// Raw AES vectors never use mixed-case or non-ASCII encryption context keys: the JS raw AES keyring
// sorts context keys with localeCompare for its wrapping AAD instead of binary UTF-8 order
// (aws-encryption-sdk-javascript#428), so such messages cannot be decrypted by implementations
// that follow the specification. Those contexts are covered with RSA keys instead.
'use strict'
const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const {
  buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, RawRsaKeyringNode, MultiKeyringNode,
} = require('@aws-crypto/client-node')

const out = path.join(__dirname, '..', 'testdata', 'vectors')
const namespace = 'keyward-vectors'

function bytes (n, seed) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff
  return b
}

// ---- keys
const aesKeys = { 'aes-128': bytes(16, 1), 'aes-192': bytes(24, 2), 'aes-256': bytes(32, 3) }
const rsaFile = path.join(out, 'keys.json')
let rsaPriv, rsaPub
if (fs.existsSync(rsaFile)) { // keep the committed RSA key so regenerating changes less
  const old = JSON.parse(fs.readFileSync(rsaFile, 'utf8')).keys
  rsaPriv = old['rsa-2048-private'].material
  rsaPub = old['rsa-2048-public'].material
} else {
  const kp = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  rsaPriv = kp.privateKey.export({ type: 'pkcs8', format: 'pem' })
  rsaPub = kp.publicKey.export({ type: 'spki', format: 'pem' })
}
const keys = { manifest: { type: 'keys', version: 3 }, keys: {} }
for (const [name, k] of Object.entries(aesKeys)) {
  keys.keys[name] = { encrypt: true, decrypt: true, algorithm: 'aes', type: 'symmetric', bits: k.length * 8, encoding: 'base64', material: k.toString('base64'), 'key-id': name }
}
// Both halves of the pair share one key-id: it is the raw RSA keyring's key name.
keys.keys['rsa-2048-private'] = { encrypt: true, decrypt: true, algorithm: 'rsa', type: 'private', bits: 2048, encoding: 'pem', material: rsaPriv, 'key-id': 'rsa-2048' }
keys.keys['rsa-2048-public'] = { encrypt: true, decrypt: false, algorithm: 'rsa', type: 'public', bits: 2048, encoding: 'pem', material: rsaPub, 'key-id': 'rsa-2048' }

// ---- keyrings and their master-key descriptions for the manifest
function aesKeyring (name) {
  const wrappingSuite = { 16: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING, 24: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING, 32: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING }[aesKeys[name].length]
  return {
    kr: new RawAesKeyringNode({ keyName: name, keyNamespace: namespace, unencryptedMasterKey: new Uint8Array(aesKeys[name]), wrappingSuite }),
    mk: { type: 'raw', key: name, 'provider-id': namespace, 'encryption-algorithm': 'aes' },
  }
}
function rsaKeyring (padding) {
  const opts = { keyName: 'rsa-2048', keyNamespace: namespace, rsaKey: { privateKey: rsaPriv, publicKey: rsaPub } }
  const mk = { type: 'raw', key: 'rsa-2048-private', 'provider-id': namespace, 'encryption-algorithm': 'rsa' }
  if (padding === 'pkcs1') {
    opts.padding = crypto.constants.RSA_PKCS1_PADDING
    mk['padding-algorithm'] = 'pkcs1'
  } else {
    opts.padding = crypto.constants.RSA_PKCS1_OAEP_PADDING
    opts.oaepHash = padding
    mk['padding-algorithm'] = 'oaep-mgf1'
    mk['padding-hash'] = padding
  }
  return { kr: new RawRsaKeyringNode(opts), mk }
}

// ---- plaintexts
const plaintexts = { empty: Buffer.alloc(0), small: bytes(100, 4), exact: bytes(512, 5), multi: bytes(1000, 6) }
const suites = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578]
const hex = (s) => s.toString(16).padStart(4, '0')

const tests = {}
const cts = {}
async function add (id, description, { keyring, masterKeys, suite = 0x0478, plaintext = 'small', frameLength = 4096, context = { purpose: 'vectors' } }) {
  const policy = suite >= 0x0478 ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
  const { encrypt } = buildClient(policy)
  const { result } = await encrypt(keyring, plaintexts[plaintext], { encryptionContext: context, suiteId: suite, frameLength })
  cts[id] = Buffer.from(result)
  tests[id] = {
    description, ciphertext: `file://ciphertexts/${id}`, 'master-keys': masterKeys,
    result: { output: { plaintext: `file://plaintexts/${plaintext}` } },
  }
}
function tamper (id, from, description, change) {
  const b = Buffer.from(cts[from])
  cts[id] = change(b)
  tests[id] = { description, ciphertext: `file://ciphertexts/${id}`, 'master-keys': tests[from]['master-keys'], result: { error: { 'error-description': description } } }
}

async function main () {
  const aes256 = aesKeyring('aes-256')
  for (const s of suites) {
    await add(`suite-${hex(s)}-aes-256`, `suite 0x${hex(s)}, raw AES-256, framed`, { keyring: aes256.kr, masterKeys: [aes256.mk], suite: s })
    await add(`suite-${hex(s)}-empty`, `suite 0x${hex(s)}, empty plaintext`, { keyring: aes256.kr, masterKeys: [aes256.mk], suite: s, plaintext: 'empty' })
  }
  for (const name of ['aes-128', 'aes-192']) {
    const k = aesKeyring(name)
    for (const s of [0x0478, 0x0578, 0x0178]) {
      await add(`key-${name}-${hex(s)}`, `raw ${name}, suite 0x${hex(s)}`, { keyring: k.kr, masterKeys: [k.mk], suite: s })
    }
  }
  for (const p of ['pkcs1', 'sha1', 'sha256', 'sha384', 'sha512']) {
    const k = rsaKeyring(p)
    for (const s of [0x0478, 0x0578, 0x0214, 0x0078]) {
      await add(`key-rsa-${p}-${hex(s)}`, `raw RSA-2048 ${p}, suite 0x${hex(s)}`, { keyring: k.kr, masterKeys: [k.mk], suite: s })
    }
  }
  for (const [frame, pt] of [[1, 'small'], [16, 'multi'], [100, 'multi'], [128, 'exact'], [512, 'exact'], [999, 'multi'], [1000, 'multi'], [65536, 'multi']]) {
    for (const s of [0x0478, 0x0578, 0x0346]) {
      await add(`frame-${frame}-${pt}-${hex(s)}`, `frame length ${frame}, ${pt} plaintext, suite 0x${hex(s)}`, { keyring: aes256.kr, masterKeys: [aes256.mk], suite: s, plaintext: pt, frameLength: frame })
    }
  }
  const unicodeValues = { purpose: 'vectors', lang: '日本語 ✓ ünïcödé', emoji: '🔑🗝️', empty: '' }
  await add('context-unicode-values-aes', 'unicode context values, raw AES', { keyring: aes256.kr, masterKeys: [aes256.mk], context: unicodeValues })
  await add('context-unicode-values-aes-signed', 'unicode context values, raw AES, signed', { keyring: aes256.kr, masterKeys: [aes256.mk], suite: 0x0578, context: unicodeValues })
  const unicodeKeys = { Zebra: '1', apple: '2', Ünïcode: '3', '日本': '4', '🔑': '5', a: 'A' }
  const oaep = rsaKeyring('sha256')
  await add('context-unicode-keys-rsa', 'mixed-case and non-ASCII context keys (RSA: the JS raw AES keyring mis-sorts them, #428)', { keyring: oaep.kr, masterKeys: [oaep.mk], context: unicodeKeys })
  await add('context-unicode-keys-rsa-signed', 'mixed-case and non-ASCII context keys, signed', { keyring: oaep.kr, masterKeys: [oaep.mk], suite: 0x0578, context: unicodeKeys })
  await add('context-empty', 'empty encryption context', { keyring: aes256.kr, masterKeys: [aes256.mk], context: {} })
  const multi = new MultiKeyringNode({ generator: aes256.kr, children: [oaep.kr] })
  await add('multi-keyring-both', 'AES generator and RSA child, both keys offered', { keyring: multi, masterKeys: [aes256.mk, oaep.mk] })
  await add('multi-keyring-rsa-only', 'AES generator and RSA child, decrypted with the RSA key', { keyring: multi, masterKeys: [oaep.mk], suite: 0x0578 })

  // ---- tampered messages: every one must fail
  const u = 'suite-0478-aes-256'
  const sgn = 'suite-0578-aes-256'
  const v1 = 'suite-0178-aes-256'
  const flip = (i) => (b) => { const j = i < 0 ? b.length + i : i; b[j] ^= 0x01; return b }
  tamper('tampered-version', u, 'message format version changed', flip(0))
  tamper('tampered-suite', u, 'algorithm suite id changed to 0x0578', (b) => { b[1] = 0x05; return b })
  tamper('tampered-message-id', u, 'message id changed (commitment fails)', flip(10))
  tamper('tampered-context', u, 'encryption context changed', flip(45))
  tamper('tampered-body', u, 'frame ciphertext changed', flip(-20))
  tamper('tampered-tag', u, 'final frame tag changed', flip(-1))
  tamper('tampered-truncated', u, 'message truncated by one byte', (b) => b.subarray(0, b.length - 1))
  tamper('tampered-trailing', u, 'one byte after the message', (b) => Buffer.concat([b, Buffer.from([0])]))
  tamper('tampered-signature', sgn, 'signature changed', flip(-1))
  tamper('tampered-signed-body', sgn, 'frame changed in a signed message', flip(-140))
  tamper('tampered-v1-header-auth', v1, 'v1 header authentication tag changed', (b) => {
    const ctLen = 4 + 4 + 12 + 4 + 100 + 16
    b[b.length - ctLen - 1] ^= 1
    return b
  })
  tamper('tampered-v1-body', v1, 'v1 frame changed', flip(-30))
  tamper('tampered-edk', 'key-rsa-sha256-0478', 'RSA encrypted data key changed', flip(200))
  tamper('tampered-edk-pkcs1', 'key-rsa-pkcs1-0478', 'RSA PKCS#1 encrypted data key changed', flip(200))
  tamper('tampered-commitment', u, 'commitment key (header suite data) changed', (b) => {
    // The commitment key is the 32 bytes before the header auth tag (16) and after the frame length.
    const frames = 4 + 4 + 12 + 4 + 100 + 16
    b[b.length - frames - 16 - 1] ^= 1
    return b
  })

  fs.rmSync(path.join(out, 'ciphertexts'), { recursive: true, force: true })
  fs.mkdirSync(path.join(out, 'ciphertexts'), { recursive: true })
  fs.mkdirSync(path.join(out, 'plaintexts'), { recursive: true })
  for (const [name, b] of Object.entries(plaintexts)) fs.writeFileSync(path.join(out, 'plaintexts', name), b)
  for (const [id, b] of Object.entries(cts)) fs.writeFileSync(path.join(out, 'ciphertexts', id), b)
  fs.writeFileSync(rsaFile, JSON.stringify(keys, null, 2) + '\n')
  const manifest = {
    manifest: { type: 'awses-decrypt', version: 2 },
    client: { name: 'aws-encryption-sdk-javascript (@aws-crypto/client-node)', version: '5.0.2' },
    keys: 'file://keys.json',
    tests: Object.fromEntries(Object.keys(tests).sort().map((k) => [k, tests[k]])),
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  console.error(`wrote ${Object.keys(tests).length} tests to ${out}`)
}
main().catch((e) => { console.error(e); process.exit(1) })
