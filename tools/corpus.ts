/**
 * `deno task corpus`: writes dip's example corpus, short business documents in eight
 * categories, composed from varied phrase pools with a seeded generator (so the files are
 * reproducible). Cross-category phrases are mixed in on purpose so the task is not trivial.
 */
import { parseArgs } from "node:util";

const HELP = `Usage: deno task corpus [--per-class N] [--test-share F] [--seed S] [--out DIR]

Writes DIR/train.jsonl and DIR/test.jsonl (lines {"text","label"}), split per class.
  --per-class N    documents per category (default 60)
  --test-share F   share held out for test.jsonl (default 0.25)
  --seed S         random seed (default 7)
  --out DIR        output folder (default data/corpus)
  --help           this text`;

type Rand = () => number;

function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const some = <T>(r: Rand, xs: readonly T[], min: number, max: number): T[] => {
  const n = min + Math.floor(r() * (max - min + 1));
  return [...xs].sort(() => r() - 0.5).slice(0, n);
};

const PEOPLE = [
  "Anna Weber",
  "James Carter",
  "Sofia Rossi",
  "Liam O'Brien",
  "Mei Chen",
  "Carlos Mendes",
  "Fatima Khan",
  "Jonas Berg",
  "Olivia Smith",
  "Noah Dubois",
  "Priya Nair",
  "Lukas Novak",
  "Emma Johansson",
  "Hiroshi Tanaka",
  "Grace Okafor",
  "David Cohen",
  "Elena Petrova",
  "Tom Fischer",
];
const COMPANIES = [
  "Acme Logistics",
  "Northwind Traders",
  "Blue Harbor GmbH",
  "Globex Ltd",
  "Initech",
  "Umbrella Foods",
  "Stark Components",
  "Helios Energy",
  "Contoso Retail",
  "Fabrikam Inc.",
  "Vertex Analytics",
  "Orchid Design Studio",
  "Riverside Clinic",
  "Summit Builders",
  "Atlas Software",
];
const PRODUCTS = [
  "the X200 router",
  "our mobile app",
  "the premium plan",
  "the coffee machine",
  "the billing portal",
  "the standing desk",
  "the cloud backup service",
  "the wireless headset",
  "the analytics dashboard",
  "the delivery van lease",
];
const ROLES = [
  "Senior Backend Engineer",
  "Accountant",
  "Marketing Manager",
  "Data Analyst",
  "Warehouse Supervisor",
  "Customer Success Lead",
  "Nurse",
  "Graphic Designer",
  "Project Manager",
  "Sales Representative",
];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function fill(r: Rand, template: string): string {
  return template
    .replaceAll("{person}", () => pick(r, PEOPLE))
    .replaceAll("{company}", () => pick(r, COMPANIES))
    .replaceAll("{product}", () => pick(r, PRODUCTS))
    .replaceAll("{role}", () => pick(r, ROLES))
    .replaceAll("{month}", () => pick(r, MONTHS))
    .replaceAll("{day}", () => String(1 + Math.floor(r() * 28)))
    .replaceAll("{year}", () => String(2023 + Math.floor(r() * 4)))
    .replaceAll("{amount}", () => (50 + r() * 9000).toFixed(2))
    .replaceAll("{num}", () => String(1000 + Math.floor(r() * 90000)))
    .replaceAll("{days}", () => pick(r, ["14", "30", "45", "60", "90"]))
    .replaceAll("{currency}", () => pick(r, ["EUR", "USD", "GBP", "CHF"]))
    .replaceAll("{years}", () => String(2 + Math.floor(r() * 12)));
}

interface Pools {
  openers: string[];
  body: string[];
  closers: string[];
}

const POOLS: Record<string, Pools> = {
  invoice: {
    openers: [
      "Invoice No. INV-{num}",
      "Please find attached invoice {num} for services rendered in {month}.",
      "Tax invoice from {company}",
      "Billing statement for account {num}",
      "Your invoice for {month} {year} is ready.",
    ],
    body: [
      "Amount due: {amount} {currency}, payable within {days} days of the invoice date.",
      "Line item: consulting hours, 12 h at 95.00 {currency}, subtotal {amount} {currency}.",
      "VAT 19% has been applied to the net amount of {amount} {currency}.",
      "Please transfer the total to IBAN DE89 3704 0044 0532 0130 00 quoting the invoice number.",
      "Payment terms: net {days}. Late payments incur interest of 1.5% per month.",
      "Purchase order reference PO-{num} has been matched to this invoice.",
      "The balance outstanding on your account is {amount} {currency}.",
      "Invoice date {day} {month} {year}, due date {day} {month} {year}.",
      "Remittance advice can be sent to accounts receivable at {company}.",
      "Shipping and handling charges of 24.90 {currency} are included.",
      "This invoice covers the annual subscription for {product}.",
      "Credit note CN-{num} has been deducted from the total amount.",
      "Attached is your bill for {month}; please remit payment by {day} {month}.",
      "Total payable: {amount} {currency} including tax.",
      "Your monthly statement shows charges of {amount} {currency} for {product}.",
      "Please settle the outstanding balance to avoid service interruption.",
      "Receipt and billing details for order {num} are listed below.",
      "Kindly process this bill through accounts payable.",
    ],
    closers: [
      "Thank you for your business.",
      "Kind regards, Accounts Receivable, {company}",
      "Questions about this bill? Contact billing at {company}.",
      "We appreciate your prompt payment.",
    ],
  },
  contract: {
    openers: [
      "Service Agreement between {company} and {company}",
      "This Agreement is entered into on {day} {month} {year}.",
      "Master Services Agreement, reference MSA-{num}",
      "Amendment No. 2 to the supply contract",
      "Non-disclosure agreement for the evaluation of {product}",
    ],
    body: [
      "The parties agree to the terms and conditions set out in the schedules attached hereto.",
      "The term of this agreement shall be {years} years, renewing automatically unless terminated.",
      "Either party may terminate this agreement with {days} days written notice.",
      "The supplier shall indemnify the customer against claims arising from breach of warranty.",
      "Confidential information shall not be disclosed to any third party without prior written consent.",
      "This agreement shall be governed by the laws of the State of New York.",
      "The service level agreement guarantees 99.9% availability measured monthly.",
      "Fees are set out in Schedule B and are fixed for the initial term.",
      "Liability of either party is limited to the fees paid in the preceding twelve months.",
      "Intellectual property created under this agreement vests in the customer upon payment.",
      "Signed for and on behalf of {company} by {person}, authorised signatory.",
      "Any dispute shall be referred to arbitration under the ICC rules.",
      "The licensee is granted a non-exclusive, non-transferable licence to use the software.",
      "This Lease Agreement is made between the Landlord and the Tenant for the premises described below.",
      "The Tenant agrees to pay rent of {amount} {currency} per month, due on the first day of each month.",
      "The lease term commences on {day} {month} {year} and runs for {years} years.",
      "The Employee shall be employed as {role} and shall report to the Managing Director.",
      "The Seller agrees to sell and the Buyer agrees to purchase the goods listed in Annex 1.",
      "A security deposit of one month's rent is payable on signature.",
      "This contract may be amended only in writing signed by both parties.",
    ],
    closers: [
      "IN WITNESS WHEREOF the parties have executed this agreement.",
      "Signature: ____________ Date: ________",
      "Please countersign and return one copy.",
      "Both parties acknowledge they have read and understood these terms.",
    ],
  },
  "support-request": {
    openers: [
      "Hi support team,",
      "Hello, I need help with {product}.",
      "Ticket: cannot log in",
      "Question about configuring {product}",
      "Good morning, we are having an issue with {product}.",
    ],
    body: [
      "Since this morning I get an error 500 when I try to open the settings page.",
      "How do I reset my password? The reset link in the email does not work.",
      "Could you explain how to export my data to CSV?",
      "The app crashes on startup after the latest update on Android 14.",
      "I followed the setup guide but the device does not connect to the Wi-Fi network.",
      "Is there a way to add a second user to our account?",
      "Steps to reproduce: open the dashboard, click reports, select last month.",
      "The sync has been stuck at 80% for two days, can you take a look?",
      "Our API key returns 401 unauthorized although it was created yesterday.",
      "Please advise which browser versions are supported.",
      "I attached a screenshot of the error message and the log file.",
      "We would like to enable single sign-on for our team, what are the steps?",
      "I can't connect my printer to the office network, it shows offline.",
      "Can someone help me troubleshoot the VPN connection? It keeps dropping.",
      "How can I change the email address on my account?",
      "The installation fails with an error code, what should I do?",
      "Where can I find the user manual for {product}?",
      "My laptop will not boot after the update, the screen stays black.",
      "Is there a setting to turn off notifications?",
    ],
    closers: [
      "Thanks in advance for your help.",
      "Best, {person}",
      "Looking forward to your reply.",
      "Our account number is {num} if that helps.",
      "Any guidance would be appreciated.",
    ],
  },
  complaint: {
    openers: [
      "Formal complaint regarding order {num}",
      "I am writing to express my dissatisfaction.",
      "I am extremely disappointed with {company}.",
      "Complaint: damaged delivery",
      "This is unacceptable.",
    ],
    body: [
      "The package arrived damaged and two items were missing.",
      "I have called your hotline five times and nobody has resolved the problem.",
      "Your technician did not show up for the appointment and I took a day off work for nothing.",
      "I was charged twice for the same order and still have not received a refund.",
      "The quality of {product} is far below what was advertised.",
      "Your staff was rude and refused to help me at the counter.",
      "I demand a full refund and compensation for the inconvenience.",
      "This is the third time this month the delivery has been late.",
      "If this is not resolved within {days} days I will report it to the consumer protection agency.",
      "I have been a loyal customer for {years} years and have never been treated this badly.",
      "Nobody answered my previous emails, which is frustrating and disrespectful.",
      "The product stopped working after one week and the warranty claim was rejected.",
      "The hotel room was dirty and the staff were unfriendly.",
      "I ordered six weeks ago and it still hasn't arrived, this is ridiculous.",
      "Your customer service keeps giving me excuses and I want my money back.",
      "I am fed up with the constant billing errors on my account.",
      "The food was cold and the waiter ignored us for an hour.",
      "This is the worst service I have ever experienced.",
    ],
    closers: [
      "I expect a response immediately.",
      "Very disappointed, {person}",
      "I want this escalated to a manager.",
      "Please fix this or I will cancel my contract.",
      "Regards, an unhappy customer",
    ],
  },
  "job-application": {
    openers: [
      "Application for the position of {role}",
      "Dear hiring manager,",
      "Cover letter: {role}",
      "I would like to apply for the {role} role advertised on your website.",
      "Re: job opening {role}",
    ],
    body: [
      "I have {years} years of experience in a similar role at {company}.",
      "Please find my CV and references attached.",
      "I hold a bachelor's degree in business administration and a master's in finance.",
      "In my current position I lead a team of six and manage a budget of 2 million.",
      "I am proficient in Python, SQL and cloud infrastructure.",
      "My notice period is {days} days and I could start in {month}.",
      "I am passionate about your mission and believe my skills are a strong fit.",
      "During my internship at {company} I improved reporting efficiency by 30%.",
      "I am available for an interview at your convenience.",
      "My salary expectation is in line with the range stated in the job posting.",
      "I speak English, German and Spanish fluently.",
      "References from {person} and {person} are available on request.",
      "I am excited to submit my application for the {role} position.",
      "I am a quick learner and a team player with strong communication skills.",
      "I recently graduated and am looking for my first full-time role.",
      "My portfolio and LinkedIn profile are linked in my resume.",
    ],
    closers: [
      "Thank you for considering my application.",
      "Sincerely, {person}",
      "I look forward to hearing from you.",
      "Kind regards, {person}, applicant",
    ],
  },
  "legal-notice": {
    openers: [
      "NOTICE OF BREACH",
      "Legal notice served on behalf of our client {company}",
      "Cease and desist",
      "Notice of intended legal proceedings",
      "Statutory demand for payment",
    ],
    body: [
      "We act on behalf of {company} in connection with the matter described below.",
      "You are hereby notified that you are in breach of clause 7.2 of the agreement dated {day} {month} {year}.",
      "Unless the sum of {amount} {currency} is paid within {days} days, proceedings will be issued without further notice.",
      "You must immediately cease and desist from using the trademark registered under number {num}.",
      "Our client reserves all rights and remedies available at law and in equity.",
      "This letter is written without prejudice save as to costs.",
      "Please preserve all documents relevant to this dispute, including electronic records.",
      "A claim will be filed with the district court if no satisfactory response is received.",
      "The tenant is hereby given notice to vacate the premises by {day} {month} {year}.",
      "Pursuant to section 21 of the act, you are required to respond in writing.",
      "Service of this notice is deemed effective on the date of delivery.",
      "Any correspondence should be directed to the undersigned counsel.",
      "TAKE NOTICE that our client intends to commence proceedings against you in the High Court.",
      "Our client claims damages arising from your breach and reserves the right to seek an injunction.",
      "You are hereby summoned to appear before the court on {day} {month} {year}.",
      "This is a formal letter before action under the pre-action protocol.",
      "Failure to comply will result in enforcement action and further legal costs.",
      "We are instructed by {company} and write to you as solicitors on its behalf.",
    ],
    closers: [
      "Yours faithfully, {person}, Attorney at Law",
      "Legal department, {company}",
      "This notice is issued under the applicable statutory provisions.",
      "Counsel for the claimant",
    ],
  },
  marketing: {
    openers: [
      "Don't miss our biggest sale of the year!",
      "Newsletter {month} {year}",
      "Exclusive offer just for you",
      "New arrivals are here",
      "Last chance: 40% off everything",
    ],
    body: [
      "Use code SAVE20 at checkout to get 20% off your next order.",
      "Join thousands of happy customers who already upgraded to {product}.",
      "Free shipping on all orders over 50 {currency} this weekend only.",
      "Discover our new collection and find your perfect style.",
      "Sign up for our webinar to learn growth tactics from industry experts.",
      "Limited time offer, while stocks last.",
      "Refer a friend and both of you receive a 10 {currency} voucher.",
      "Our spring catalogue is out now with over 200 new products.",
      "Upgrade today and unlock premium features for free for 30 days.",
      "Follow us on social media for daily deals and giveaways.",
      "This month's highlights: product tips, customer stories and upcoming events.",
      "Book a demo and see how {company} can boost your sales.",
      "Black Friday deals: up to 60% off on all electronics.",
      "Hurry, the offer ends Sunday. Click to shop the deals now.",
      "Members get early access to our summer sale.",
      "Try {product} free for 14 days, no credit card required.",
    ],
    closers: [
      "Unsubscribe from these emails at any time.",
      "Shop now!",
      "See you soon, the {company} team",
      "You received this email because you subscribed to our newsletter.",
    ],
  },
  other: {
    openers: [
      "Meeting notes, {day} {month}",
      "Hi all,",
      "Recipe: lemon pasta",
      "Weekly team update",
      "Travel itinerary for next week",
      "Reminder: office closed on Friday",
    ],
    body: [
      "The cafeteria will serve a vegetarian menu on Thursdays from now on.",
      "Boil the pasta, zest two lemons and stir in parmesan and butter.",
      "Flight LH{num} departs at 07:45, hotel check-in is after 3 pm.",
      "The parking garage will be repainted over the weekend.",
      "Attendees discussed the roadmap and agreed to meet again in two weeks.",
      "Please remember to water the plants while I am on holiday.",
      "The weather forecast predicts rain for the company picnic, so we moved it indoors.",
      "The book club will read a novel by a local author this month.",
      "Happy birthday to {person}! Cake in the kitchen at 3 pm.",
      "Fire drill scheduled for Tuesday at 10 am, please follow the wardens.",
      "The printer on the second floor is out of toner again.",
      "Here are some photos from the team offsite in the mountains.",
      "Team lunch is moved to Wednesday at noon, we'll meet in the lobby.",
      "The quarterly all-hands will take place in the main auditorium.",
      "Please bring your own mug, the kitchen is running out of cups.",
      "Minutes of the last meeting are attached for your review.",
      "The elevator on the east side is under maintenance this week.",
    ],
    closers: ["Cheers, {person}", "Have a great weekend!", "See you there.", "Thanks everyone."],
  },
};

/** Sentences of other categories, mixed into some documents as realistic noise. */
const NOISE = Object.entries(POOLS).flatMap(([label, p]) => p.body.map((s) => ({ label, s })));

/** Writes one document of `label`. */
export function makeDocument(r: Rand, label: string): string {
  const p = POOLS[label]!;
  const parts = [pick(r, p.openers), ...some(r, p.body, 2, 5)];
  if (r() < 0.35) {
    parts.splice(
      1 + Math.floor(r() * (parts.length - 1)),
      0,
      pick(r, NOISE.filter((n) => n.label !== label)).s,
    );
  }
  parts.push(pick(r, p.closers));
  return fill(r, parts.join(r() < 0.5 ? "\n" : " "));
}

/** The categories of the example corpus. */
export const LABELS = Object.keys(POOLS);

/** Builds `perClass` documents per label and splits them into train and test sets. */
export function buildCorpus(perClass: number, testShare: number, seed: number) {
  const r = mulberry32(seed);
  const train: { text: string; label: string }[] = [];
  const test: { text: string; label: string }[] = [];
  for (const label of LABELS) {
    const cut = Math.round(perClass * (1 - testShare));
    for (let i = 0; i < perClass; i++) {
      (i < cut ? train : test).push({ text: makeDocument(r, label), label });
    }
  }
  return { train: train.sort(() => r() - 0.5), test };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "per-class": { type: "string", default: "60" },
      "test-share": { type: "string", default: "0.25" },
      seed: { type: "string", default: "7" },
      out: { type: "string", default: "data/corpus" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const perClass = Number(values["per-class"]),
    share = Number(values["test-share"]),
    seed = Number(values.seed);
  if (
    !Number.isInteger(perClass) || perClass < 2 || !(share > 0 && share < 1) ||
    !Number.isFinite(seed)
  ) {
    console.error(
      "corpus: --per-class must be an integer ≥ 2 and --test-share between 0 and 1\n\n" + HELP,
    );
    Deno.exit(2);
  }
  const { train, test } = buildCorpus(perClass, share, seed);
  Deno.mkdirSync(values.out, { recursive: true });
  const jsonl = (rows: unknown[]) => rows.map((x) => JSON.stringify(x)).join("\n") + "\n";
  Deno.writeTextFileSync(`${values.out}/train.jsonl`, jsonl(train));
  Deno.writeTextFileSync(`${values.out}/test.jsonl`, jsonl(test));
  console.error(
    `corpus: wrote ${train.length} training and ${test.length} test documents to ${values.out}`,
  );
}
