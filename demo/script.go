package demo

import "github.com/parleyhq/parley"

// customer is one simulated person: where they write, what they open
// with, and what they answer when an agent replies, in order.
type customer struct {
	platform parley.Platform
	id, name string
	opening  string
	answers  []string
}

// customers write in several languages, so a new user sees that search,
// language detection and the composer handle them.
var customers = []customer{
	{parley.PlatformMessenger, "2470000000000001", "Ana Lima", "Hi! Has my order #1042 shipped yet?",
		[]string{"Great, thanks! Can you send me the tracking link?", "Perfect, that's all I needed 🙏"}},
	{parley.PlatformWhatsApp, "351912345678", "Rui Costa", "Olá, preciso de ajuda com a minha encomenda",
		[]string{"É a encomenda #2291, paguei com MB Way.", "Obrigado pela ajuda!"}},
	{parley.PlatformInstagram, "5410000000000001", "mei.lin", "这个还有货吗？",
		[]string{"我要一件蓝色的，M号。", "好的，谢谢！"}},
	{parley.PlatformFacebookComments, "7100000000000001", "Bo Chen", "Do you ship to Portugal?",
		[]string{"How long does it usually take?", "Thanks, ordering now!"}},
	{parley.PlatformWhatsApp, "818012345678", "Sato Yui", "注文した商品がまだ届きません",
		[]string{"注文番号は A-5531 です。", "ありがとうございました。"}},
	{parley.PlatformMessenger, "2470000000000002", "Lee Park", "Can I change my delivery address?",
		[]string{"It's 12 Rose Street, Leeds LS1 4AB.", "Brilliant, thank you."}},
	{parley.PlatformInstagram, "5410000000000002", "jonas.k", "Is the discount code still valid? SUMMER20 doesn't work",
		[]string{"I tried it at checkout just now, it says expired.", "Works now, cheers!"}},
	{parley.PlatformFacebookComments, "7100000000000002", "Marta Ruiz", "¿Tenéis tienda física en Madrid?",
		[]string{"¿Y el horario del sábado?", "¡Gracias!"}},
}
