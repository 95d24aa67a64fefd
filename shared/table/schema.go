package table

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names: the one place they are spelled.
const (
	AttrPK     = "pk"
	AttrSK     = "sk"
	AttrGSI1PK = "gsi1pk"
	AttrGSI1SK = "gsi1sk"
	AttrGSI2PK = "gsi2pk"
	AttrGSI2SK = "gsi2sk"
	AttrTTL    = "ttl"

	IndexGSI1 = "gsi1"
	IndexGSI2 = "gsi2"

	// DefaultName is the table name used locally when TABLE_NAME is unset.
	DefaultName = "keyward"
)

// Index describes one global secondary index.
type Index struct {
	Name, PartitionKey, SortKey string
}

// Indexes are the table's global secondary indexes (all project every attribute).
var Indexes = []Index{
	{Name: IndexGSI1, PartitionKey: AttrGSI1PK, SortKey: AttrGSI1SK},
	{Name: IndexGSI2, PartitionKey: AttrGSI2PK, SortKey: AttrGSI2SK},
}

// CreateTableInput is the table definition for local provisioning; infra/ builds
// the CloudFormation table from the same constants and Indexes.
func CreateTableInput(name string) *dynamodb.CreateTableInput {
	str := ddbtypes.ScalarAttributeTypeS
	attrs := []ddbtypes.AttributeDefinition{
		{AttributeName: aws.String(AttrPK), AttributeType: str},
		{AttributeName: aws.String(AttrSK), AttributeType: str},
	}
	var gsis []ddbtypes.GlobalSecondaryIndex
	for _, ix := range Indexes {
		attrs = append(attrs,
			ddbtypes.AttributeDefinition{AttributeName: aws.String(ix.PartitionKey), AttributeType: str},
			ddbtypes.AttributeDefinition{AttributeName: aws.String(ix.SortKey), AttributeType: str})
		gsis = append(gsis, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: ddbtypes.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: ddbtypes.KeyTypeRange},
			},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		})
	}
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: attrs,
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String(AttrPK), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String(AttrSK), KeyType: ddbtypes.KeyTypeRange},
		},
		GlobalSecondaryIndexes: gsis,
	}
}
