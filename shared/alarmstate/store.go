package alarmstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

// DynamoDB is the part of the DynamoDB client the store uses.
type DynamoDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Store keeps alarms in the one table.
type Store struct {
	DB    DynamoDB
	Table string
}

// ErrStale says another evaluation already stored this or a later window.
var ErrStale = errors.New("alarmstate: a newer window is already stored")

// Open returns every alarm in ALARM or with a notification pending (one Query
// on the sparse gsi1 partition ALARM#OPEN).
func (s Store) Open(ctx context.Context) ([]Alarm, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		IndexName:              aws.String(table.IndexGSI1),
		KeyConditionExpression: aws.String("#pk = :pk"),
		ExpressionAttributeNames: map[string]string{
			"#pk": table.AttrGSI1PK,
		},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pk": &ddbtypes.AttributeValueMemberS{Value: table.AlarmOpenPK},
		},
	}
	var out []Alarm
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query open alarms: %w", err)
		}
		for _, it := range page.Items {
			a, err := decode(it)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// Get returns the stored alarms among keys (absent keys have never fired).
func (s Store) Get(ctx context.Context, keys []Key) (map[Key]Alarm, error) {
	out := make(map[Key]Alarm, len(keys))
	for chunk := range chunks(keys, 100) {
		req := make([]map[string]ddbtypes.AttributeValue, 0, len(chunk))
		for _, k := range chunk {
			pk, sk := table.AlarmKey(k.Rule, k.Resource)
			req = append(req, map[string]ddbtypes.AttributeValue{
				table.AttrPK: &ddbtypes.AttributeValueMemberS{Value: pk},
				table.AttrSK: &ddbtypes.AttributeValueMemberS{Value: sk},
			})
		}
		items, err := BatchGet(ctx, s.DB, s.Table, req)
		if err != nil {
			return nil, fmt.Errorf("get alarms: %w", err)
		}
		for _, it := range items {
			a, err := decode(it)
			if err != nil {
				return nil, err
			}
			out[a.Key()] = a
		}
	}
	return out, nil
}

// Put stores a unless a later window is already stored (ErrStale). prev is the
// window end the caller based its decision on (zero: the alarm was absent).
func (s Store) Put(ctx context.Context, a Alarm, prev Window) error {
	item, err := encode(a)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if prev.End.IsZero() {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk)")
		in.ExpressionAttributeNames = map[string]string{"#pk": table.AttrPK}
	} else {
		in.ConditionExpression = aws.String("#we = :we")
		in.ExpressionAttributeNames = map[string]string{"#we": "windowEnd"}
		we, err := attributevalue.Marshal(prev.End)
		if err != nil {
			return err
		}
		in.ExpressionAttributeValues = map[string]ddbtypes.AttributeValue{":we": we}
	}
	if _, err := s.DB.PutItem(ctx, in); err != nil {
		var ccf *ddbtypes.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return fmt.Errorf("put alarm %s/%s: %w", a.Rule, a.Resource, ErrStale)
		}
		return fmt.Errorf("put alarm %s/%s: %w", a.Rule, a.Resource, err)
	}
	return nil
}

func encode(a Alarm) (map[string]ddbtypes.AttributeValue, error) {
	ev, err := json.Marshal(a.Evidence)
	if err != nil {
		return nil, fmt.Errorf("alarm evidence: %w", err)
	}
	it := table.AlarmItem{Rule: a.Rule, Resource: a.Resource, State: string(a.State), Severity: string(a.Severity),
		Reason: a.Reason, Since: a.Since.UTC(), LastEvaluated: a.LastEvaluated.UTC(),
		WindowStart: a.Window.Start.UTC(), WindowEnd: a.Window.End.UTC(), LastNotified: a.LastNotified.UTC(),
		NotifyPending: string(a.NotifyPending), Evidence: string(ev)}
	it.SetKeys(a.Open())
	m, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("marshal alarm %s/%s: %w", a.Rule, a.Resource, err)
	}
	return m, nil
}

func decode(m map[string]ddbtypes.AttributeValue) (Alarm, error) {
	var it table.AlarmItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return Alarm{}, fmt.Errorf("unmarshal alarm: %w", err)
	}
	a := Alarm{Rule: it.Rule, Resource: it.Resource, State: rules.State(it.State), Severity: rules.Severity(it.Severity),
		Reason: it.Reason, Since: it.Since, LastEvaluated: it.LastEvaluated,
		Window: Window{it.WindowStart, it.WindowEnd}, LastNotified: it.LastNotified, NotifyPending: Kind(it.NotifyPending)}
	if it.Evidence != "" {
		if err := json.Unmarshal([]byte(it.Evidence), &a.Evidence); err != nil {
			return Alarm{}, fmt.Errorf("alarm %s/%s evidence: %w", it.Rule, it.Resource, err)
		}
	}
	return a, nil
}
