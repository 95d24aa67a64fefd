package envelope

// HeaderInfo is what a message header says in the clear, read without any key: the
// suite, the encryption context and the encrypted data keys. Nothing in it is
// authenticated until the message is decrypted; use it to choose keys and to check
// authorization before decrypting, never as a result.
type HeaderInfo struct {
	Suite             SuiteID
	MessageID         []byte
	EncryptionContext map[string]string
	EncryptedDataKeys []EncryptedDataKey
}

// ParseHeader reads the header of message within lim (zero fields take the defaults
// of Limits). It makes no KMS call and checks no authentication tag.
func ParseHeader(message []byte, lim Limits) (*HeaderInfo, error) {
	lim = lim.withDefaults()
	h, err := readHeader(&byteSource{b: message}, &lim)
	if err != nil {
		return nil, err
	}
	return &HeaderInfo{Suite: h.suite.id, MessageID: h.messageID, EncryptionContext: h.context, EncryptedDataKeys: h.edks}, nil
}
