"""Every word list the entity rules consult: hand-written lists, and NLTK's names, gazetteers and ieer loaded once."""

from __future__ import annotations

import re

from search.documents import EntityKind


def _items(text: str, sep: str | None = None) -> list[str]:
    """A word list written as one string (``sep`` for names with spaces)."""
    return [w.strip() for w in text.split(sep) if w.strip()]


# The three kinds of entity a facet holds, by the type names the rules and the entity map use.
PERSON, ORG, PLACE = EntityKind.PERSON.value, EntityKind.ORGANIZATION.value, EntityKind.PLACE.value
TYPES = (PERSON, ORG, PLACE)

# Context words: a place follows these prepositions; a person or organisation is followed by a verb of saying;
# an organisation is followed (or preceded) by words about a company.
PLACE_PREPS = frozenset(_items("""in at from near to across into throughout outside inside via toward towards"""))
SAY_VERBS = frozenset(_items("""said says told added stated noted asked argued warned explained tweeted wrote"""))
ORG_NEXT = frozenset(
    _items("""shares stock stake unit subsidiary spokesman spokeswoman officials executives board shareholders
    management earnings profit profits revenue revenues sales""")
)
ORG_PREV = frozenset(_items("""shares firm company group bank agency union organisation organization"""))
PLACE_HEADS = frozenset(
    _items("""republic kingdom emirates islands island province region state states valley river sea ocean
    mountains city county district territory peninsula coast bay strait gulf lake basin""")
)
# A span ending in one of these names an event or a document (MISC), not a person, organisation or place.
EVENT_WORDS = frozenset(
    _items("""summit meeting conference talks agreement treaty accord games cup championship championships open
    tournament war crisis protocol act bill award prize festival olympics dollar dollars yen franc
    francs mark marks pound pounds sterling peso pesos lira rupee rupees rouble roubles ruble crown
    guilder guilders ecu euro yuan index average product rate rates program programme units intermediate sour
    crude blend futures accords""")
)
# A span right before one of these names the event, not an organisation or a place ("the Louvre accord").
EVENT_NEXT = frozenset(_items("""accord accords agreement pact summit"""))
# Commodities, grades, financial instruments and market terms that news capitalises: never a person,
# organisation or place by themselves ("Robusta", "Eurodollar futures", "Brent", "countertrade deals").
COMMODITY_WORDS = frozenset(
    _items("""robusta robustas arabica arabicas countertrade eurodollar eurodollars eurobond eurobonds
    eurocurrency euronote euronotes euroyen eurosterling eurodeposit eurodeposits brent libor unch gnp gdp dmk
    aaa bbb""")
)
# How US news tags a lawmaker with party and state: "(D-Tex.)", "R-Minn".
PARTY_STATE = re.compile(r"^[DRI]-[A-Z][a-z]{0,5}\.?$")
MONTHS = frozenset(
    _items(
        """jan feb mar apr may jun jul aug sep sept oct nov dec jly jne january february march april june july
        august september october november december"""
    )
)
CORP_SUFFIXES = frozenset(
    _items("""corp corp. inc inc. co co. ltd ltd. plc group corporation company holdings ag sa nv llc""")
)
# Legal suffixes dropped when comparing organisation names (``Chrysler Corp`` == ``Chrysler``).
LEGAL_SUFFIXES = frozenset(
    _items(
        """inc incorporated corp corporation co company ltd limited plc llc ag sa nv gmbh group holdings industrie"""
    )
)
PEOPLE_PLURALS = frozenset(
    _items("officials sources analysts traders dealers diplomats spokesmen economists bankers observers")
)
PARTNER_WORDS = frozenset(_items("Co Company Cie Sons Son"))  # "Goldman, Sachs and Co": one firm
ORG_PREFIXES = frozenset(_items("first north south east west national general new united"))
PLACE_SUFFIXES = frozenset(
    _items(
        """republic kingdom islands island province region emirates peninsula valley river sea ocean
        mountains coast bay strait gulf lake district territory basin"""
    )
)
CONNECTORS = frozenset({"of", "for", "and", "&", "de", "du", "la", "le", "der", "von", "van", "on"})
# Name particles between two capitalised names: "Lex van Drooge", "Santiago de Cuba".
PARTICLES = frozenset(_items("van von de del della der den da di do du le la dos das bin ibn al el"))
# Words an acronym skips (``Shanghai Cooperation Organisation`` -> ``SCO``, ``Bank of England`` -> ``BE``).
ACRONYM_SKIP = frozenset({"of", "for", "and", "the", "on", "in", "de", "du", "des", "la", "&", "to"})
COMPASS_WORDS = frozenset(_items("north south east west"))
# Abbreviated compass words of headlines ("S.KOREA", "N. Zealand") and the words they stand for.
COMPASS = {"N": ("North", "New"), "S": ("South",), "E": ("East",), "W": ("West",)}

# Titles and roles that precede a person's name and are not part of it (lowercase, no dots).
PERSON_TITLES = frozenset(
    _items("""duke earl baron count countess speaker whip
    mr mrs ms miss dr prof professor sir dame lord lady rev reverend father sister
    brother president
    vice-president premier chancellor minister secretary senator sen rep representative congressman
    congresswoman governor gov mayor king queen prince princess sheikh emir sultan pope cardinal
    bishop archbishop ayatollah chairman chairwoman chairperson chair ceo cfo coo director spokesman
    spokeswoman spokesperson ambassador envoy judge justice general gen colonel col major maj
    lieutenant lt captain capt sergeant sgt admiral adm commander marshal officer president-elect
    chief leader fm eam pm mp mep striker midfielder defender goalkeeper keeper forward winger coach
    manager skipper captain batsman bowler pitcher quarterback champion rider driver veteran
    counterpart deputy undersecretary under-secretary commissioner attorney lawyer economist analyst
    trader dealer analysts economists prosecutor inspector detective superintendent constable
    sheriff pastor rabbi imam mullah treasurer controller auditor head founder owner publisher
    editor correspondent reporter dr. mr. mrs. ms. prof. gov. sen. rep. gen. col. lt. sgt. capt.
    maj. adm.""")
)

# Words that qualify a title ("Deputy Foreign Affairs Minister"); stripped with it.
TITLE_MODIFIERS = frozenset(
    _items("""deputy vice prime foreign external internal home affairs finance trade defence defense interior
    justice economy economic agriculture energy oil health education labour labor transport industry
    state federal chief executive senior junior former acting first second third assistant associate
    managing general national regional central top new then late ex former- union cabinet junior
    principal permanent special secretary-general secretary general exchequer mines mining planning""")
)

# Words that make a span an organisation (as its last word, or anywhere for the strong ones).
ORG_HEADS = frozenset(
    _items("""organisation organization organisations organizations union council ministry ministries department
    agency authority commission committee board bureau office service services association
    federation confederation league alliance party parliament assembly congress senate court
    tribunal bank banks fund trust group holdings holding company companies corporation corp corp.
    inc inc. ltd ltd. plc llc co co. ag sa nv bv spa gmbh institute institution university college
    school academy foundation society club team fc exchange airlines airline airways motors
    industries international petroleum railways railway press times post journal news television
    radio network agency daily herald tribune army navy forces police guard church front movement
    brigade brigades cooperative consortium partners securities capital investments bancorp
    bancorporation financial insurance systems technologies communications electric energy oil
    mining steel chemicals pharmaceuticals cartel secretariat commune
    markets brothers associates management sons industrie industria
    resources enterprises investors bancshares savings lines shipping foods stores products laboratories
    labs pharmaceutical software computer computers electronics instruments semiconductor telecom
    telecommunications chemical utilities administration banco banque banca worldwide aerospace na industrie
    embassy government system departments""")
)
ORG_STRONG = frozenset(
    _items("""inc inc. corp corp. ltd ltd. plc llc co co. ag gmbh bancorp bancorporation organisation organization
    ministry association federation confederation university institute foundation commission
    committee council union party bank banco banque banca nv gruppo regie usines societe compagnie cie""")
)

# Spans made only of these are never entities (lowercase).
JUNK_WORDS = frozenset(
    _items("""advertisement advertisements also read watch click subscribe sponsored related share tweet monday
    tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun january february
    march april may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec he she it they we you i me him her them us our their his its my your this
    that these those there here what which who whom whose when where why how the a an and or but if
    then so yes no not all any some every each both either neither none one two three first second
    third mr mrs ms dr  sir madam today tomorrow yesterday tonight week month year years am pm gmt
    est edt bst utc est. et a.m. p.m. n't 's shr shrs net revs rev avg qtr mths mth oper dlrs dlr
    cts ct pct vs qtly div pay prior record note notes reuter reuters's xinhua's editor editors
    story stories photo photos video mln bln ecu ecus mthly qtly oper shrs billion million trillion avg god
    lord internet web online twitter usd eur gbp jpy chf dlr
    yen stg libor north south east west northern southern eastern western will sales revenues earnings profit
    loss losses dividend dividends turnover assets deposits loans orders payout income men women
    children people easter christmas class aids has have had is was were are be been would could should does
    did months weeks days""")
)

# Demonyms and adjectives of nationality: MISC, never a person, organisation or place by themselves.
EXTRA_DEMONYMS = frozenset(
    _items("""american british english scottish welsh irish french german italian spanish portuguese dutch belgian
    swiss austrian swedish norwegian danish finnish icelandic russian soviet ukrainian polish czech
    slovak hungarian romanian bulgarian serbian croatian bosnian greek turkish cypriot israeli
    palestinian arab arabic iranian iraqi syrian lebanese jordanian saudi egyptian libyan tunisian
    algerian moroccan nigerian kenyan ethiopian somali sudanese african south-african zimbabwean
    chinese japanese korean taiwanese vietnamese thai malaysian indonesian filipino singaporean
    indian pakistani afghan bangladeshi sri lankan nepalese australian canadian mexican brazilian
    argentine argentinian chilean peruvian colombian venezuelan cuban european asian latin western
    eastern northern southern islamic muslim christian catholic jewish hindu buddhist sikh kurdish
    basque kazakh uzbek tajik kyrgyz turkmen georgian armenian azeri eurasian chechen serb serbs
    croat croats muslims bosnians zairean rwandan burundian hutu tutsi pak olympic moslem moslems texan
    californian parisian londoner muscovite europeans americans philippine yugoslav yugoslavs arabian""")
)

# Demonyms of more than one word (lowercase).
COMPOUND_DEMONYMS = frozenset(
    _items(
        """west german, east german, south korean, north korean, south african, latin american, new zealander,
        sri lankan, saudi arabian, north american, south american, central american, middle eastern""",
        ",",
    )
)

# US state abbreviations as news writes them after a city ("Dallas, Tex.").
STATE_ABBREVIATIONS: dict[str, str] = {
    k: v.replace("_", " ")
    for k, v in (
        pair.split("=")
        for pair in _items(
            """calif=California fla=Florida tex=Texas conn=Connecticut penn=Pennsylvania ariz=Arizona colo=Colorado
            minn=Minnesota wis=Wisconsin okla=Oklahoma tenn=Tennessee mich=Michigan neb=Nebraska nev=Nevada
            mass=Massachusetts ill=Illinois ala=Alabama ga=Georgia va=Virginia md=Maryland nj=New_Jersey
            n.j=New_Jersey ny=New_York n.y=New_York la=Louisiana ky=Kentucky ind=Indiana mo=Missouri ore=Oregon
            wash=Washington del=Delaware kan=Kansas ark=Arkansas miss=Mississippi iowa=Iowa ohio=Ohio utah=Utah"""
        )
    )
}

# Hand-written gazetteer additions: world cities, regions and places the NLTK lists lack.
EXTRA_PLACES = frozenset(
    p.strip()
    for p in _items(
        """London, Paris, Berlin, Bonn, Frankfurt, Munich, Hamburg, Rome, Milan, Madrid, Barcelona, Lisbon,
    Amsterdam, Brussels, Vienna, Zurich, Geneva, Stockholm, Oslo, Copenhagen, Helsinki, Dublin,
    Edinburgh, Manchester, Liverpool, Glasgow, Athens, Istanbul, Ankara, Moscow, Kiev, Kyiv, Minsk,
    Warsaw, Prague, Budapest, Bucharest, Sofia, Belgrade, Zagreb, Sarajevo, Ljubljana, Tirana, Riga,
    Vilnius, Tallinn, Tbilisi, Yerevan, Baku, Astana, Almaty, Tashkent, Bishkek, Dushanbe, Ashgabat,
    Kabul, Islamabad, Karachi, Lahore, New Delhi, Delhi, Mumbai, Bombay, Calcutta, Kolkata, Chennai,
    Madras, Bangalore, Bengaluru, Hyderabad, Goa, Benaulim, Kathmandu, Dhaka, Colombo, Beijing,
    Peking, Shanghai, Hong Kong, Guangzhou, Shenzhen, Taipei, Tokyo, Osaka, Seoul, Pyongyang,
    Manila, Jakarta, Bangkok, Hanoi, Saigon, Ho Chi Minh City, Kuala Lumpur, Singapore, Rangoon,
    Yangon, Phnom Penh, Vientiane, Sydney, Melbourne, Canberra, Perth, Brisbane, Auckland,
    Wellington, Tehran, Baghdad, Damascus, Beirut, Amman, Jerusalem, Tel Aviv, Gaza, West Bank,
    Riyadh, Jeddah, Kuwait, Doha, Dubai, Abu Dhabi, Muscat, Sanaa, Aden, Cairo, Alexandria, Tripoli,
    Tunis, Algiers, Rabat, Casablanca, Khartoum, Addis Ababa, Nairobi, Mogadishu, Kampala, Kigali,
    Kinshasa, Lagos, Abuja, Accra, Dakar, Johannesburg, Pretoria, Cape Town, Durban, Harare, Lusaka,
    Luanda, Maputo, Washington, New York, Los Angeles, Chicago, Houston, Boston, San Francisco,
    Miami, Dallas, Detroit, Atlanta, Philadelphia, Seattle, Toronto, Montreal, Ottawa, Vancouver,
    Calgary, Mexico City, Havana, Bogota, Caracas, Lima, Quito, Santiago, Buenos Aires, Montevideo,
    Brasilia, Rio de Janeiro, Sao Paulo, La Paz, Asuncion, Panama City, Managua, San Salvador,
    Tegucigalpa, Guatemala City, San Jose, Kingston, Port-au-Prince, Santo Domingo, Europe, Asia,
    Africa, America, Americas, North America, South America, Latin America, Central America, Middle
    East, Mideast, Midwest, Guangdong, Fujian, Parana, Bahia,
    Far East, Gulf, Persian Gulf, Balkans, Caribbean, Pacific, Atlantic, Mediterranean,
    Baltic, Scandinavia, Siberia, Chechnya, Grozny, Kosovo, Crimea, Donbas, Kashmir, Punjab, Bengal,
    Tibet, Xinjiang, Taiwan, Macau, Ulster, Northern Ireland, Scotland, England, Wales, Britain,
    Great Britain, Bavaria, Catalonia, Quebec, Ontario, Alberta, Indo-Pacific, Asia-Pacific,
    Eurasia, Central Asia, South Asia, Southeast Asia, East Asia, West Africa, East Africa, North
    Africa, Horn of Africa, Sahara, Sinai, Golan Heights, Strait of Hormuz, Hormuz, Suez, Suez
    Canal, Panama Canal, Rotterdam, Antwerp, Marseille, Lyon, Toulouse, Bordeaux, Nice, Genoa,
    Naples, Turin, Venice, Florence, Seville, Valencia, Porto, Cologne, Dusseldorf, Stuttgart,
    Leipzig, Dresden, Gdansk, Krakow, St Petersburg, Leningrad, Vladivostok, Novosibirsk, Murmansk,
    Odessa, Sevastopol, Chisinau, Yokohama, Nagoya, Kobe, Kyoto, Busan, Pusan, Chongqing, Tianjin,
    Wuhan, Nanjing, Dalian, Lhasa, Peshawar, Quetta, Kandahar, Herat, Basra, Mosul, Kirkuk, Aleppo,
    Homs, Haifa, Ramallah, Hebron, Bethlehem, Nablus, Jenin, Rafah, Kuwait City, Bahrain, Manama,
    Qatar, Oman, Yemen, Urals, Caucasus, Volga, Danube, Rhine, Thames, Hokkaido, Okinawa, Sumatra,
    Java, Bali, Borneo, Mindanao, Luzon, Sicily, Sardinia, Corsica, Normandy, Brittany, Flanders,
    Wallonia, Lombardy, Tuscany, Andalusia, Galicia, Silesia, Transylvania, Anatolia, Kurdistan,
    Darfur, Natal, Transvaal, Soweto, Queensland, Victoria, Tasmania, New South Wales, Manitoba,
    Saskatchewan, Nova Scotia, Newfoundland, Yukon, Patagonia, Amazon, Andes, Himalayas, Alps,
    Pyrenees, Sri Lanka, Bosnia, Herzegovina, Serbia, Montenegro, Macedonia, Slovenia, Croatia,
    Slovakia, Belarus, Moldova, Ukraine, Russia, Georgia, Armenia, Azerbaijan, Kazakhstan,
    Uzbekistan, Kyrgyzstan, Tajikistan, Turkmenistan, Zaire, Congo, Rwanda, Burundi, Zambia,
    Zimbabwe, Rhodesia, Namibia, Botswana, Angola, Mozambique, Liberia, Sierra Leone, Ivory Coast,
    Czechoslovakia, Yugoslavia, Soviet Union, USSR, West Germany, East Germany, South Korea, North
    Korea, Hong Kong, Taiwan, Vatican, Gibraltar, Puerto Rico, Guam, Greenland, Faroe Islands,
    Falklands, Falkland Islands, Wimbledon, Melbourne Park, Flushing Meadows, Roland Garros, Lord's,
    Old Trafford, Anfield, Wembley, Twickenham, Hollywood, Silicon Valley, Manhattan, Brooklyn,
    Queens, Bronx, Long Island, Westminster, Whitehall, Kent, Surrey, Essex, Yorkshire, Lancashire,
    Sussex, Cornwall, Devon""",
        ",",
    )
)

# Alternative names of places (normalised key -> canonical name).
PLACE_ALIASES: dict[str, str] = {
    "us": "United States",
    "usa": "United States",
    "united states of america": "United States",
    "america": "United States",
    "the united states": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "the united kingdom": "United Kingdom",
    "ussr": "Soviet Union",
    "uae": "United Arab Emirates",
    "prc": "China",
    "people's republic of china": "China",
    "peking": "Beijing",
    "bombay": "Mumbai",
    "madras": "Chennai",
    "calcutta": "Kolkata",
    "kiev": "Kyiv",
    "holland": "Netherlands",
    "the netherlands": "Netherlands",
    "the philippines": "Philippines",
    "west germany": "West Germany",
    "frg": "West Germany",
    "gdr": "East Germany",
    "st petersburg": "St Petersburg",
    "saint petersburg": "St Petersburg",
    "new york city": "New York",
    "burma": "Myanmar",
    "ivory coast": "Ivory Coast",
    "cote d'ivoire": "Ivory Coast",
    "s korea": "South Korea",
    "n korea": "North Korea",
    "hk": "Hong Kong",
    "nz": "New Zealand",
}
PLACE_ALIASES.update({k.replace(".", ""): v for k, v in STATE_ABBREVIATIONS.items()})

# Well-known organisations (hand-written); acronym -> full name, where one is commonly used.
KNOWN_ORGS: dict[str, str] = {
    "UN": "United Nations",
    "U.N.": "United Nations",
    "UNSC": "United Nations Security Council",
    "NATO": "North Atlantic Treaty Organization",
    "EU": "European Union",
    "EC": "European Community",
    "EEC": "European Economic Community",
    "IMF": "International Monetary Fund",
    "OPEC": "Organization of Petroleum Exporting Countries",
    "GATT": "General Agreement on Tariffs and Trade",
    "WTO": "World Trade Organization",
    "WHO": "World Health Organization",
    "OECD": "Organisation for Economic Co-operation and Development",
    "SCO": "Shanghai Cooperation Organisation",
    "BRICS": "BRICS",
    "G20": "G20",
    "G7": "G7",
    "ASEAN": "Association of Southeast Asian Nations",
    "OSCE": "Organization for Security and Co-operation in Europe",
    "FBI": "Federal Bureau of Investigation",
    "CIA": "Central Intelligence Agency",
    "SEC": "Securities and Exchange Commission",
    "FIFA": "FIFA",
    "UEFA": "UEFA",
    "IOC": "International Olympic Committee",
    "PLO": "Palestine Liberation Organization",
    "ANC": "African National Congress",
    "IRA": "Irish Republican Army",
    "KGB": "KGB",
    "BBC": "BBC",
    "CNN": "CNN",
    "AP": "Associated Press",
    "AFP": "Agence France-Presse",
    "MEA": "Ministry of External Affairs",
    "Fed": "Federal Reserve",
    "Federal Reserve": "Federal Reserve",
    "World Bank": "World Bank",
    "Bundesbank": "Bundesbank",
    "Kremlin": "Kremlin",
    "Reuters": "Reuters",
    "Congress": "Congress",
    "Senate": "Senate",
    "Pentagon": "Pentagon",
    "Treasury": "Treasury",
    "Comecon": "Comecon",
    "Interfax": "Interfax",
    "Itar-Tass": "Itar-Tass",
    "Tass": "Tass",
    "Xinhua": "Xinhua",
    "Nasdaq": "Nasdaq",
    "Comex": "Comex",
    "NYSE": "New York Stock Exchange",
    "Hamas": "Hamas",
    "Hezbollah": "Hezbollah",
    "Taliban": "Taliban",
    "Nasa": "NASA",
    "NASA": "NASA",
    "MENAFN": "MENAFN",
    "Royal Dutch": "Royal Dutch/Shell Group",
    "Standard and Poor's": "Standard and Poor's Corp",
    "USDA": "U.S. Agriculture Department",
    "U.S. Department of Agriculture": "U.S. Agriculture Department",
    "Department of Agriculture": "U.S. Agriculture Department",
    "RATS": "Regional Anti-Terrorism Structure",
    "Sallie Mae": "Student Loan Marketing Association",
    "Fannie Mae": "Federal National Mortgage Association",
    "Freddie Mac": "Federal Home Loan Mortgage Corp",
    "Ginnie Mae": "Government National Mortgage Association",
    "Keidanren": "Keidanren",
    "Tanjug": "Tanjug",
    "ICO": "International Coffee Organization",
    "ICCO": "International Cocoa Organization",
    "CBT": "Chicago Board of Trade",
    "EC Commission": "European Commission",
    "Shell Group": "Royal Dutch/Shell Group",
}

# Transliteration and spelling variants folded when comparing names (applied to lowercase text).
SPELLING_FOLDS: tuple[tuple[str, str], ...] = (
    ("organisation", "organization"),
    ("programme", "program"),
    ("defence", "defense"),
    ("centre", "center"),
    ("labour", "labor"),
    ("co-operation", "cooperation"),
)

# English short forms of given names, folded when comparing two full names (Jim Wright ~ James Wright).
NICKNAMES: dict[str, str] = {
    short: full
    for full, shorts in (
        ("james", "jim jimmy jamie"),
        ("william", "bill billy will willie"),
        ("robert", "bob bobby rob"),
        ("richard", "dick rick ricky"),
        ("michael", "mike mick"),
        ("thomas", "tom tommy"),
        ("joseph", "joe joey"),
        ("david", "dave"),
        ("daniel", "dan danny"),
        ("edward", "ed ted eddie"),
        ("ronald", "ron ronnie"),
        ("donald", "don donnie"),
        ("kenneth", "ken kenny"),
        ("lawrence", "larry"),
        ("peter", "pete"),
        ("stephen", "steve"),
        ("anthony", "tony"),
        ("charles", "chuck charlie"),
        ("john", "jack johnny"),
        ("gerald", "jerry"),
        ("samuel", "sam"),
        ("andrew", "andy"),
        ("frederick", "fred"),
        ("henry", "hank"),
        ("patrick", "pat"),
        ("christopher", "chris"),
        ("nicholas", "nick"),
        ("benjamin", "ben"),
        ("philip", "phil"),
        ("jeffrey", "jeff"),
        ("timothy", "tim"),
        ("douglas", "doug"),
        ("gregory", "greg"),
        ("elizabeth", "liz beth"),
        ("margaret", "maggie peggy"),
    )
    for short in shorts.split()
}
