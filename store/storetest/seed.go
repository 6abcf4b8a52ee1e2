package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// SeedBatch is how many events Seed ingests per transaction.
const SeedBatch = 2000

// Seed bulk-loads realistic data for benchmarks through Ingest: contacts
// customers on the channel send messages in total, mixing English, Chinese
// and Japanese text. The first message of each customer opens their
// ticket; the rest land on random customers. The data is the same on every
// run (fixed random seed), and every text has a unique order number, so a
// search can be broad ("refund", "退款") or exact.
func Seed(ctx context.Context, st parley.Store, channelID int64, contacts, messages int) error {
	if contacts <= 0 || messages < contacts {
		return parley.Errorf(parley.EINVALID, "seed needs contacts > 0 and messages >= contacts")
	}
	ch, err := st.FindChannelByID(ctx, channelID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(42, uint64(channelID)))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]*parley.InboundEvent, 0, SeedBatch)
	for i := range messages {
		customer := i
		if i >= contacts {
			customer = rng.IntN(contacts)
		}
		ev := MessageEvent(ch, fmt.Sprintf("seed-%d", customer), fmt.Sprintf("seed-%d-%d", channelID, i),
			SeedText(rng, i), start.Add(time.Duration(i)*time.Second))
		ev.Sender.Name = seedName(rng, customer)
		batch = append(batch, ev)
		if len(batch) == SeedBatch || i == messages-1 {
			if _, err := st.Ingest(ctx, batch); err != nil {
				return fmt.Errorf("seeding messages up to %d: %w", i, err)
			}
			batch = batch[:0]
		}
	}
	return nil
}

var (
	seedEnglish = []string{
		"Hello, I would like a refund for my order", "Where is my parcel? It has been a week",
		"The app crashes when I open the settings page", "Can I change the delivery address?",
		"Thanks for the quick help!", "My payment failed but the money was taken",
		"Do you ship to Canada?", "I received the wrong size, can I exchange it?",
	}
	seedChinese = []string{
		"我想申请退款，订单还没到", "请问什么时候发货？", "付款失败了但是钱被扣了",
		"我收到的商品有质量问题", "可以修改收货地址吗", "谢谢你们的帮助",
	}
	seedJapanese = []string{
		"注文番号は%dです。まだ届いていません", "返品の方法を教えてください", "支払いができませんでした",
		"配送先を変更したいです", "ありがとうございました", "サイズを交換できますか",
	}
	seedFirst = []string{"Ana", "Bo", "Chen", "Dana", "Emre", "Fatima", "Goro", "Hana", "Ivan", "Jia"}
	seedLast  = []string{"Lima", "Andersson", "王", "佐藤", "Müller", "Kaya", "李", "田中", "Novak", "Smith"}
)

// SeedText returns the i-th seeded message text: a phrase in one of three
// languages plus a unique order number.
func SeedText(rng *rand.Rand, i int) string {
	var b strings.Builder
	switch rng.IntN(3) {
	case 0:
		b.WriteString(seedEnglish[rng.IntN(len(seedEnglish))])
	case 1:
		b.WriteString(seedChinese[rng.IntN(len(seedChinese))])
	default:
		p := seedJapanese[rng.IntN(len(seedJapanese))]
		if strings.Contains(p, "%d") {
			p = fmt.Sprintf(p, 1000+i%9000)
		}
		b.WriteString(p)
	}
	fmt.Fprintf(&b, " (order #A%07d)", i)
	return b.String()
}

func seedName(rng *rand.Rand, customer int) string {
	_ = rng
	return seedFirst[customer%len(seedFirst)] + " " + seedLast[(customer/len(seedFirst))%len(seedLast)]
}
