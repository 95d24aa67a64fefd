package audit

// rawRecord is a CloudTrail record as decoded, before normalisation. Strings
// alias the input buffer; raw JSON members are nil when absent or null.
type rawRecord struct {
	eventVersion, eventTime, eventSource, eventName, awsRegion string
	sourceIP, userAgent, errorCode, errorMessage, requestID    string
	eventID, eventType, recipientAccountID, eventCategory      string
	vpcEndpointID                                              string

	uiType, uiPrincipalID, uiARN, uiAccountID, uiInvokedBy, issuerARN string

	readOnly, managementEvent tri

	resources []rawResource

	requestParameters, responseElements, additionalEventData, serviceEventDetails []byte
}

type rawResource struct {
	arn, aRN, accountID, typ string
}

func (r *rawRecord) reset() {
	res := r.resources[:0]
	*r = rawRecord{resources: res}
}

// decodeRecord decodes one record object at the scanner's position into r.
func decodeRecord(s *scanner, r *rawRecord) error {
	r.reset()
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "eventVersion":
			r.eventVersion, err = s.strOrSkip()
		case "userIdentity":
			r.uiType, r.uiPrincipalID, r.uiARN, r.uiAccountID, r.uiInvokedBy, r.issuerARN = "", "", "", "", "", ""
			if s.peek() != '{' {
				return s.skip()
			}
			err = decodeIdentity(s, r)
		case "eventTime":
			r.eventTime, err = s.strOrSkip()
		case "eventSource":
			r.eventSource, err = s.strOrSkip()
		case "eventName":
			r.eventName, err = s.strOrSkip()
		case "awsRegion":
			r.awsRegion, err = s.strOrSkip()
		case "sourceIPAddress":
			r.sourceIP, err = s.strOrSkip()
		case "userAgent":
			r.userAgent, err = s.strOrSkip()
		case "errorCode":
			r.errorCode, err = s.strOrSkip()
		case "errorMessage":
			r.errorMessage, err = s.strOrSkip()
		case "requestParameters":
			r.requestParameters, err = s.raw()
		case "responseElements":
			r.responseElements, err = s.raw()
		case "additionalEventData":
			r.additionalEventData, err = s.raw()
		case "serviceEventDetails":
			r.serviceEventDetails, err = s.raw()
		case "requestID":
			r.requestID, err = s.strOrSkip()
		case "eventID":
			r.eventID, err = s.strOrSkip()
		case "readOnly":
			r.readOnly, err = s.boolOrSkip()
		case "resources":
			r.resources = r.resources[:0]
			if s.peek() != '[' {
				return s.skip()
			}
			err = s.array(func() error {
				if s.peek() != '{' {
					return s.skip()
				}
				var res rawResource
				err := s.object(func(key []byte) error {
					var err error
					switch string(key) {
					case "ARN":
						res.arn, err = s.strOrSkip()
					case "aRN":
						res.aRN, err = s.strOrSkip()
					case "accountId":
						res.accountID, err = s.strOrSkip()
					case "type":
						res.typ, err = s.strOrSkip()
					default:
						err = s.skip()
					}
					return err
				})
				r.resources = append(r.resources, res)
				return err
			})
		case "eventType":
			r.eventType, err = s.strOrSkip()
		case "managementEvent":
			r.managementEvent, err = s.boolOrSkip()
		case "recipientAccountId":
			r.recipientAccountID, err = s.strOrSkip()
		case "eventCategory":
			r.eventCategory, err = s.strOrSkip()
		case "vpcEndpointId":
			r.vpcEndpointID, err = s.strOrSkip()
		default:
			err = s.skip()
		}
		return err
	})
}

func decodeIdentity(s *scanner, r *rawRecord) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			r.uiType, err = s.strOrSkip()
		case "principalId":
			r.uiPrincipalID, err = s.strOrSkip()
		case "arn":
			r.uiARN, err = s.strOrSkip()
		case "accountId":
			r.uiAccountID, err = s.strOrSkip()
		case "invokedBy":
			r.uiInvokedBy, err = s.strOrSkip()
		case "sessionContext":
			r.issuerARN = ""
			if s.peek() != '{' {
				return s.skip()
			}
			err = s.object(func(key []byte) error {
				if string(key) != "sessionIssuer" {
					return s.skip()
				}
				r.issuerARN = ""
				if s.peek() != '{' {
					return s.skip()
				}
				return s.object(func(key []byte) error {
					if string(key) != "arn" {
						return s.skip()
					}
					var err error
					r.issuerARN, err = s.strOrSkip()
					return err
				})
			})
		default:
			err = s.skip()
		}
		return err
	})
}
