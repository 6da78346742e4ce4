"""Figures read in many languages and scripts, and lined up across sources."""

from __future__ import annotations

import html
from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from builder.data import load_table
from builder.lang.numbers import parse_number
from builder.model import Article, Fact, FigureMention
from builder.stories.facts import compare_facts, extract_figures


def article(path: str, lang: str, text: str) -> Article:
    return Article(path=path, title="", date=date(2025, 11, 26), lang=lang, source="", slug=path,
                   body=f"<p>{html.escape(text)}</p>".encode(), words=len(text.split()))


def found(text: str, lang: str) -> list[tuple[float, str, str | None, str]]:
    return [(f.value, f.unit, f.label, f.text) for f in extract_figures(text, lang)]


# --- the four November 2025 seed articles, their relevant paragraphs as published -----------------

UZ = """Rossiya bilan Qirg‘iziston yirik hamkorlik paketini imzolash arafasida
26 ноябр 2025

Bugun (26.11.2025) poytaxt Bishkekda Qirg‘iziston Prezidenti Sadir Japarov bilan uchrashuv o‘tkazgan Putin.

Putin, shuningdek, Rossiya bilan Qirg‘iziston o‘z to‘lovlarining qariyb 97 foizini milliy valyutalar orqali amalga oshirayotganini bildirdi.

Har ikki davlat «o‘zaro hisob - kitoblarni» tartibga solishning yangi variantlarini o‘rganayotganini qayd etgan Putin: «Rossiya Qirg‘izistonning yetakchi savdo - iqtisodiy hamkoridir. O‘tgan yili o‘zaro savdo hajmi 13,6 foizga oshib, 4,1 milliard dollarga yetdi va rekord natijani qayd etdi. Yanvar – sentabr oylarida esa yana 17 foizlik o‘sish kuzatildi», - dedi va Rossiya investitsiyalari qariyb 2 milliard dollarga yetganini qo‘shimcha qildi.

Sadir Japarov esa Qirg‘izistonda faoliyat yuritayotgan rus kompaniyalari soni o‘tgan yili 1 800 taga yetganini ma’lum qildi.

Putin seshanba kuni (25.11.2025) rasmiy tashrif bilan Qirg‘iziston poytaxti Bishkekka keldi.

Putinning ushbu tashrifi Kollektiv Xavfsizlik Shartnomasi Tashkilotining (KXShT) 27 - noyabr kuni Bishkekda o‘tkaziladigan sammiti bilan bir vaqtga to‘g‘ri keldi."""

TR = """Yayın Tarihi: 26.11.2025 14:41
Güncelleme Tarihi: 26.11.2025 14:41

Putin görüşmede, 'Rusya görevi devralıyor ve 2026’da örgüte başkanlık yapacak' ifadelerini kullandı.

Putin, Kırgızistan’ın önemli bir ticari ve ekonomik ortağı olduklarını belirterek, geçen yıl ticaret hacminin yüzde 13,6 artarak rekor seviye olan 4,1 milyar dolar'a ulaştığını, bu yılın ocak-eylül aylarında ise yüzde 17 daha artış kaydedildiğini söyledi. Ayrıca şu anda tüm ödemelerin yaklaşık yüzde 97'sinin ulusal para birimiyle gerçekleştirildiğini ve karşılıklı ödemelerin düzenlenmesi için yeni seçenekler üzerinde çalışıldığını aktardı.

Yatırımlara değinen Putin, 'Yatırımlar da artıyor ve neredeyse 2 milyar dolar'a ulaştı. Kırgızistan’da bin 700 Rus sermayeli şirket faaliyet gösteriyor' ifadelerini kullandı.

Caparov, Rusya’nın istikrar ve uyum sergilediğini belirterek Putin’in liderlik niteliklerini takdir ettiğini ifade etti. Ayrıca Rusya’nın altyapı, enerji, sanayi ve insani inisiyatiflere verdiği desteği övdü ve 2025 yılında Kırgızistan’daki Rus şirket sayısının bin 800’e çıktığını, bunun birkaç yıl öncesine göre üç kat arttığını kaydetti."""

EN = """Russia, Kyrgyzstan to sign key collaboration deals
According to general reporting, the two countries’ economic interaction has increasingly shifted to transactions settled in their own currencies, with roughly 97% of payments now conducted this way. Both governments are said to be examining additional mechanisms to improve “mutual settlements.”
The Russian president reaffirmed that Russia remains Kyrgyzstan’s principal commercial partner, noting that bilateral trade grew 13.6% last year, hitting a record $4.1 billion, and rose a further 17% during the first nine months of the current year. He added that Russian investment has climbed to nearly $2 billion. For his part, President Japarov pointed out that the presence of Russian businesses has also expanded, reaching about 1,800 companies in the country.
His visit takes place shortly before the upcoming CSTO summit on Nov. 27, which will gather member states Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia, and Tajikistan in Bishkek."""

VI = """ date 2025-11-27 Tổng thống Nga Vladimir Putin và người đồng cấp Kyrgyzstan Sadyr Japarov trong buổi ký kết các thỏa thuận hôm 26/11 (Ảnh: Reuters).

Tổng thống Putin đến thủ đô Bishkek của Kyrgyzstan trong ngày 25/11 để thực hiện chuyến thăm quan trọng tới nước này.

Moscow, Bishkek chủ yếu giao dịch bằng đồng nội tệ. Tổng thống Putin cũng lưu ý rằng Nga và Kyrgyzstan thực hiện khoảng 97% các khoản thanh toán bằng đồng nội tệ của mình.

Nga là đối tác thương mại và kinh tế hàng đầu của Kyrgyzstan. Năm ngoái, kim ngạch thương mại đã tăng 13,6% lên mức kỷ lục 4,1 tỷ USD. Con số này cũng tăng thêm 17% từ tháng 1 đến tháng 9.

Trong khi đó, số lượng công ty Nga tại Kyrgyzstan đã tăng lên 1.800 vào năm ngoái."""

KY = """Кыргызстандын президенти Садыр Жапаров менен Орусиянын башчысы Владимир Путин 16-майда Москвада жолугушуу өткөрүп, мамлекеттердин кызматташтыгын талкуулашты.
Бул тууралуу президент Садыр Жапаров Жогорку Кеңештин 2022-жылдын 9-марттагы жыйынында жеке өзү да айткан.
Кийинчерээ, 13-апрелде АКШнын Финансы минстрлигинин башчысы Жанет Йелен Вашингтондо өткөн брифингде айткан."""

SEEDS = [article("uz.md", "uz", UZ), article("tr.md", "tr", TR), article("en.md", "en", EN), article("vi.md", "vi", VI)]


def test_seed_articles_give_the_expected_table() -> None:
    m = FigureMention
    assert compare_facts(SEEDS) == (
        Fact("payments in national currencies", 97.0, "%", (
            m("uz.md", "97 foizini"), m("tr.md", "yüzde 97"), m("en.md", "97%"), m("vi.md", "97%"))),
        Fact("trade growth", 13.6, "%", (
            m("uz.md", "13,6 foizga"), m("tr.md", "yüzde 13,6"), m("en.md", "13.6%"), m("vi.md", "13,6%")),
            period="last year"),
        Fact("trade growth", 17.0, "%", (
            m("uz.md", "17 foizlik"), m("tr.md", "yüzde 17"), m("en.md", "17%"), m("vi.md", "17%")),
            period="January–September"),
        Fact("investment", 2e9, "USD", (
            m("uz.md", "2 milliard dollarga"), m("tr.md", "2 milyar dolar"), m("en.md", "$2 billion"))),
        Fact("trade volume", 4.1e9, "USD", (
            m("uz.md", "4,1 milliard dollarga"), m("tr.md", "4,1 milyar dolar"), m("en.md", "$4.1 billion"),
            m("vi.md", "4,1 tỷ USD")), period="last year"),
        Fact("companies", 1800.0, "count", (
            m("uz.md", "1 800"), m("tr.md", "bin 800"), m("tr.md", "bin 700"), m("en.md", "1,800"),
            m("vi.md", "1.800")), conflict=True, alternatives=(1700.0,)),
    )


def test_seed_table_ignores_article_order_and_figureless_articles() -> None:
    def rows(articles: list[Article]) -> set[tuple[object, ...]]:
        return {(f.label, f.value, f.unit, f.conflict, f.alternatives, frozenset(f.mentions))
                for f in compare_facts(articles)}

    assert extract_figures(KY, "ky") == []
    assert rows([SEEDS[3], article("ky.md", "ky", KY), SEEDS[1], SEEDS[0], SEEDS[2]]) == rows(SEEDS)


def test_figures_keep_offsets_into_the_original_text() -> None:
    figures = extract_figures(TR, "tr")
    assert [TR[f.start : f.start + len(f.text)] for f in figures] == [f.text for f in figures]
    assert [f.start for f in figures] == sorted(f.start for f in figures)
    with pytest.raises(FrozenInstanceError):
        figures[0].value = 0  # type: ignore[misc]


# --- sentences in many languages and scripts ---------------------------------------------------

B = 1e9


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("uz", "O‘tgan yili o‘zaro savdo hajmi 13,6 foizga oshib, 4,1 milliard dollarga yetdi.",
     [(13.6, "%", "trade growth", "13,6 foizga"), (4.1 * B, "USD", "trade volume", "4,1 milliard dollarga")]),
    ("uz", "Eksport hajmi 1,2 mlrd dollarni tashkil etdi.", [(1.2 * B, "USD", "exports", "1,2 mlrd dollarni")]),
    ("tr", "Kırgızistan’da bin 700 Rus sermayeli şirket faaliyet gösteriyor.", [(1700, "count", "companies", "bin 700")]),
    ("tr", "İhracat %13,6 artışla 500 milyon avroya ulaştı.",
     [(13.6, "%", "export growth", "%13,6"), (5e8, "EUR", "exports", "500 milyon avroya")]),
    ("tr", "Ülkede 4 bin 800 şirket var; yatırımlar 2 milyar 300 milyon dolara ulaştı.",
     [(4800, "count", "companies", "4 bin 800"), (2.3 * B, "USD", "investment", "2 milyar 300 milyon dolara")]),
    ("en", "Exports fell 5.2% to $12.5bn, while inflation rose to 3.2 percent.",
     [(5.2, "%", "export decline", "5.2%"), (12.5 * B, "USD", "exports", "$12.5bn"), (3.2, "%", "inflation", "3.2 percent")]),
    ("en", "At least 27 people were killed and 1,200 wounded.",
     [(27, "count", "casualties", "27"), (1200, "count", "casualties", "1,200")]),
    ("en", "The country has a population of 7,100,000.", [(7.1e6, "count", "population", "7,100,000")]),
    ("ky", "Соода жүгүртүү 2,5 миллиард долларга жетти, 12 пайызга өстү.",
     [(2.5 * B, "USD", "trade volume", "2,5 миллиард долларга"), (12, "%", "trade growth", "12 пайызга")]),
    ("vi", "Kim ngạch xuất khẩu đạt 3,5 tỷ USD, tăng 12% so với năm 2024.",
     [(3.5 * B, "USD", "exports", "3,5 tỷ USD"), (12, "%", "export growth", "12%")]),
    ("ru", "Товарооборот между странами вырос на 13,6% и достиг 4,1 млрд долларов.",
     [(13.6, "%", "trade growth", "13,6%"), (4.1 * B, "USD", "trade volume", "4,1 млрд долларов")]),
    ("ru", "В Киргизии работают 1 800 российских компаний.", [(1800, "count", "companies", "1 800")]),
    ("ru", "Инфляция составила 8,5 процента, а безработица — 3,1 %.",
     [(8.5, "%", "inflation", "8,5 процента"), (3.1, "%", "unemployment", "3,1 %")]),
    ("ru", "Объём инвестиций достиг 2 млрд. долларов США.", [(2 * B, "USD", "investment", "2 млрд. долларов")]),
    ("de", "Der Handel stieg um 13,6 Prozent auf 4,1 Milliarden US-Dollar.",
     [(13.6, "%", "trade growth", "13,6 Prozent"), (4.1 * B, "USD", "trade volume", "4,1 Milliarden US-Dollar")]),
    ("de", "Rund 1.800 Unternehmen sind aktiv, die Investitionen erreichten 2 Mrd. Euro.",
     [(1800, "count", "companies", "1.800"), (2 * B, "EUR", "investment", "2 Mrd. Euro")]),
    ("fr", "Les échanges ont augmenté de 13,6 % pour atteindre 4,1 milliards de dollars.",
     [(13.6, "%", "trade growth", "13,6 %"), (4.1 * B, "USD", "trade volume", "4,1 milliards de dollars")]),
    ("es", "El comercio creció un 13,6 % hasta 4.100 millones de dólares.",
     [(13.6, "%", "trade growth", "13,6 %"), (4.1 * B, "USD", "trade volume", "4.100 millones de dólares")]),
    ("ar", "ارتفع حجم التجارة بنسبة 13.6% ليصل إلى 4.1 مليار دولار.",
     [(13.6, "%", "trade growth", "13.6%"), (4.1 * B, "USD", "trade volume", "4.1 مليار دولار")]),
    ("ar", "وتعمل نحو 1800 شركة روسية في البلاد.", [(1800, "count", "companies", "1800")]),
    ("fa", "حجم تجارت دو کشور ۱۳٫۶ درصد افزایش یافت و به ۴٫۱ میلیارد دلار رسید.",
     [(13.6, "%", "trade growth", "۱۳٫۶ درصد"), (4.1 * B, "USD", "trade volume", "۴٫۱ میلیارد دلار")]),
    ("zh", "双边贸易额去年增长13.6%，达到创纪录的41亿美元。约1800家俄罗斯企业在当地经营。",
     [(13.6, "%", "trade growth", "13.6%"), (4.1 * B, "USD", "trade volume", "41亿美元"),
      (1800, "count", "companies", "1800")]),
    ("ja", "貿易額は13.6%増の41億ドルに達した。ロシア企業は約2000社。",
     [(13.6, "%", "trade growth", "13.6%"), (4.1 * B, "USD", "trade volume", "41億ドル"),
      (2000, "count", "companies", "2000")]),
    ("ko", "양국 교역액은 41억 달러로 13.6% 증가했다.",
     [(4.1 * B, "USD", "trade volume", "41억 달러"), (13.6, "%", "trade growth", "13.6%")]),
    ("kk", "Тауар айналымы 3,2 млрд долларға жетті, 8 пайызға өсті.",
     [(3.2 * B, "USD", "trade volume", "3,2 млрд долларға"), (8, "%", "trade growth", "8 пайызға")]),
    ("pl", "Wymiana handlowa wzrosła o 13,6% do 4,1 mld dolarów.",
     [(13.6, "%", "trade growth", "13,6%"), (4.1 * B, "USD", "trade volume", "4,1 mld dolarów")]),
])
def test_figures_in_many_languages(lang: str, text: str, expected: list[tuple[float, str, str, str]]) -> None:
    assert found(text, lang) == [(pytest.approx(v), u, label, t) for v, u, label, t in expected]


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "In 2025 the companies met again."),  # a year beside a counted concept
    ("tr", "Yayın Tarihi: 26.11.2025 14:41 şirket"),  # a date and a time
    ("tr", "2026’da şirketler büyüyecek."),
    ("ky", "2022-жылдын 9-марттагы жыйында компаниялар, 13-апрелде 16-майда"),
    ("vi", "Ngày 25/11 các công ty Nga họp, từ tháng 1 đến tháng 9 công ty."),
    ("en", "On Nov. 27 the companies met; on March 3 too."),
    ("uz", "27 - noyabr kuni kompaniyalar yig‘ildi."),
    ("ru", "16 мая компании встретились."),
    ("de", "Am 3. Oktober trafen sich Unternehmen, Unternehmen auf dem 2. platz."),
    ("zh", "2025年11月26日，企业代表抵达。"),
    ("ja", "2025年11月26日、企業の代表が到着した。"),
    ("en", "1. Companies\n2) Companies"),
    ("en", "the 3rd company, COVID-19 companies, G20 companies, 5G companies"),
    ("en", "Companies met at 14:41 on 25/11."),
])
def test_years_dates_times_ordinals_and_list_numbers_are_not_figures(lang: str, text: str) -> None:
    assert extract_figures(text, lang) == []


def test_a_bare_number_needs_a_counted_concept_nearby() -> None:
    assert extract_figures("The reading takes 2 minutes and 45 seconds.", "en") == []
    assert found("Officials said 45 companies signed.", "en") == [(45, "count", "companies", "45")]


def test_matching_ignores_case_and_apostrophe_style() -> None:
    for text in ("SAVDO HAJMI 13,6 FOIZGA O`SDI.", "savdo hajmi 13,6 foizga oʻsdi.", "Savdo hajmi 13,6 foizga osdi."):
        assert found(text, "uz") == [(13.6, "%", "trade growth", text[12:23])]


def test_figures_without_a_concept_have_no_label_and_are_not_aligned() -> None:
    assert found("It cost $40 million.", "en") == [(4e7, "USD", None, "$40 million")]
    assert compare_facts([article("a.md", "en", "It cost $40 million.")]) == ()


# --- numbers (and the property tests of tests/test_properties.py: any token, Babel round trips) ----


@pytest.mark.parametrize(("token", "lang", "value"), [
    ("1 800", "uz", 1800), ("1\u00a0800", "ky", 1800), ("1\u202f800", "fr", 1800), ("1\u2009800", "ru", 1800),
    ("1,800", "en", 1800), ("1.800", "vi", 1800), ("1.800", "tr", 1800), ("13,6", "tr", 13.6), ("13.6", "en", 13.6),
    ("4.1", "ru", 4.1), ("1.234.567,891", "de", 1234567.891), ("1’234’567.5", "de-CH", 1234567.5),
    ("12,34,567", "hi", 1234567), ("۱۲٫۵", "fa", 12.5), ("١٢٣", "ar", 123),
    ("26.11.2025", "tr", None), ("26.11.2025", "en", None), ("13,6", "en", None), ("1,80", "en", None),
])
def test_parse_number(token: str, lang: str, value: float | None) -> None:
    assert parse_number(token, lang) == (None if value is None else pytest.approx(value))


# --- alignment ------------------------------------------------------------------------------------


def companies(path: str, *counts: str) -> Article:
    return article(path, "en", " ".join(f"Officials said {n} companies operate in the country." for n in counts))


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_a_minority_value_close_to_the_majority_is_a_conflict(order: tuple[int, ...]) -> None:
    reports = [companies("a", "1,800"), companies("b", "1,800"), companies("c", "1,700")]
    facts = compare_facts([reports[i] for i in order])
    assert [(f.value, f.conflict, f.alternatives) for f in facts] == [(1800.0, True, (1700.0,))]
    assert set(facts[0].mentions) == {
        FigureMention("a", "1,800"), FigureMention("b", "1,800"), FigureMention("c", "1,700")}


@pytest.mark.parametrize("reports", [
    (("1,800",), ("1,800",), ("1,000",)),  # beyond 25%: a different quantity
    (("1,800",), ("1,700",)),  # one source each: nobody is the minority
    (("100", "120"),) * 4 + (("100",),),  # both reported by nearly all sources, though not equally
])
def test_values_stay_separate_rows_without_a_disputing_minority(reports: tuple[tuple[str, ...], ...]) -> None:
    facts = compare_facts([companies(str(i), *counts) for i, counts in enumerate(reports)])
    assert not any(f.conflict or f.alternatives for f in facts)
    assert [f.value for f in facts] == sorted({float(n.replace(",", "")) for counts in reports for n in counts})


def test_growth_figures_reported_by_all_sources_are_different_quantities() -> None:
    texts = [("en", "Trade grew 13.6% last year and rose a further 17% this year."),
             ("tr", "Ticaret hacmi geçen yıl yüzde 13,6 arttı, bu yıl yüzde 17 daha artış oldu."),
             ("de", "Der Handel wuchs im Vorjahr um 13,6 % und stieg heuer um weitere 17 %.")]
    facts = compare_facts([article(f"{lang}.md", lang, text) for lang, text in texts])
    assert [(f.label, f.value, len(f.mentions), f.conflict) for f in facts] == [
        ("trade growth", 13.6, 3, False), ("trade growth", 17.0, 3, False)]


def test_one_mention_per_article_and_single_source_rows() -> None:
    twice = article("a.md", "en", "Trade reached $4.1 billion. Indeed trade was $4.1 billion. Exports were $1 billion.")
    other = article("b.md", "tr", "Ticaret hacmi 4,1 milyar dolara ulaştı.")
    assert compare_facts([twice, other]) == (
        Fact("exports", 1e9, "USD", (FigureMention("a.md", "$1 billion"),)),
        Fact("trade volume", 4.1e9, "USD", (
            FigureMention("a.md", "$4.1 billion"), FigureMention("b.md", "4,1 milyar dolara"))),
    )


# --- data and speed -------------------------------------------------------------------------------


def test_lexicon_covers_the_required_languages_and_units() -> None:
    data = load_table("figures")
    for concept in data["concepts"]:
        assert set(concept["units"]) <= {"currency", "%", "count"}, concept["label"]
        missing = {"en", "ru", "tr", "uz", "ky", "vi", "de", "fr", "es", "ar", "zh", "ja", "fa"} - set(concept["words"])
        assert not missing, (concept["label"], missing)
    assert {c["label"] for c in data["concepts"]} >= {
        "trade volume", "investment", "payments in national currencies", "companies", "population", "casualties",
        "budget", "loans", "exports", "imports", "inflation", "GDP", "growth"}


@pytest.mark.parametrize(("text", "lang", "period"), [
    ("Bilateral trade grew 13.6% last year.", "en", "last year"),
    ("Trade rose a further 17% during the first nine months of the current year.", "en", "January–September"),
    ("Товарооборот в январе-сентябре вырос на 17%.", "ru", "January–September"),
    ("Geçen yıl ticaret hacmi yüzde 13,6 arttı, bu yılın ocak-eylül aylarında ise yüzde 17 arttı.", "tr", "last year"),
    ("Năm ngoái, kim ngạch thương mại đã tăng 13,6%.", "vi", "last year"),
    ("Exports grew 8.5% in 2024, the ministry said.", "en", "2024"),
    ("Trade grew 13.6%, the minister said.", "en", None),
])
def test_a_figure_names_its_period(text: str, lang: str, period: str | None) -> None:
    """The period or scope stated beside a figure, in the language's own words."""
    first = next(f for f in extract_figures(text, lang) if f.unit == "%")
    assert first.period == period


def test_two_periods_are_two_rows_not_a_conflict() -> None:
    """13.6 % growth last year and 12 % growth in January–September are two quantities."""
    a = [article(f"{n}.md", "en", "Trade grew 13.6% last year.") for n in "abc"]
    b = [article("d.md", "en", "Trade grew 12% in January to September.")]
    facts = [f for f in compare_facts(a + b) if f.unit == "%"]
    assert [(f.value, f.period, f.conflict) for f in facts] == [(12.0, "January–September", False),
                                                                (13.6, "last year", False)]


def test_a_conflict_says_which_outlet_gave_which_value() -> None:
    a = [article(f"{n}.md", "en", "About 1,800 companies with Russian capital work here.") for n in "abc"]
    b = [article("d.md", "en", "About 1,700 companies with Russian capital work here.")]
    fact = next(f for f in compare_facts(a + b) if f.label == "companies")
    assert fact.conflict and {m.article: m.value for m in fact.mentions} == {
        "a.md": 1800.0, "b.md": 1800.0, "c.md": 1800.0, "d.md": 1700.0}
