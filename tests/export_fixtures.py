"""Synthetic platform exports for the layouts no real file has shown this project (issue 13).

Each is written from the platform's documented (or described) layout with invented figures for the
fictional Northshire Police: no personal data. `python tests/export_fixtures.py` writes them into
tests/fixtures/exports/, and tests/test_export_vintages.py checks the committed files are exactly what
this module writes, so the two cannot drift. The binary XLS (LinkedIn's Mac Excel workbook) needs
xlwt, which is not a dependency: it is written only when xlwt is importable, and read back with xlrd.

Each fixture also states what it holds (`EXPECTED`), worked out here from the rows written, for the
tests to compare with what `review` accepts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"
SNOWFLAKE_EPOCH_MS = 1288834974657


def _csv(rows: list[list[str]], delimiter: str = ",", quote_all: bool = False, newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue()


def snowflake(when: dt.datetime) -> str:
    """An X id whose time is `when` (the inverse of the id's `(id >> 22) + epoch`)."""
    return str((int(when.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22)


# --- X ---------------------------------------------------------------------------------------------

X_EARLY_HEADER = ["Post id", "Date", "Post text", "Link", "Impressions", "Likes", "Engagements", "Bookmarks", "Share",
                  "New follows", "Replies", "Reposts", "Profile visits", "Detail expands", "Url clicks",
                  "Hashtag clicks", "Permalink clicks"]
X_EARLY_POSTS = [  # (UTC time, text, impressions, likes, engagements, share, replies, reposts, url clicks)
    (dt.datetime(2025, 2, 17, 8, 5, 12, tzinfo=dt.timezone.utc), "Road closed on the A61 after a collision. Please avoid the area.", 4210, 31, 188, 4, 6, 22, 40),
    (dt.datetime(2025, 2, 16, 19, 40, 0, tzinfo=dt.timezone.utc), "Missing person found safe.\n\nThank you for sharing our appeal.", 9120, 240, 610, 12, 35, 80, 0),
    (dt.datetime(2025, 1, 30, 12, 0, 45, tzinfo=dt.timezone.utc), "Join us at the Northshire community meeting tonight https://t.co/abc", 1510, 8, 47, 0, 2, 3, 19),
    (dt.datetime(2024, 12, 24, 23, 59, 59, tzinfo=dt.timezone.utc), "Have a safe Christmas from all at Northshire Police & partners", 6033, 150, 322, 7, 11, 41, 0),
]


def x_content_early() -> str:
    rows = [X_EARLY_HEADER]
    for when, text, imp, likes, eng, share, replies, reposts, url in X_EARLY_POSTS:
        post = snowflake(when)
        rows.append([post, when.strftime("%a %b %d %Y"), text, f"https://x.com/NorthshirePolice/status/{post}", imp, likes,
                     eng, 1, share, 0, replies, reposts, 3, 9, url, 0, 2])
    rows.insert(3, ["", "", "", "https://x.com/NorthshirePolice/status/undefined", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    return _csv([[str(c) for c in r] for r in rows])


X_DAILY_HEADER = ["Date", "Tweets published", "impressions", "engagements", "engagement rate", "retweets", "replies",
                  "likes", "user profile clicks", "url clicks", "hashtag clicks", "detail expands", "permalink clicks",
                  "app opens", "app installs", "follows", "email tweet", "dial phone", "media views", "media engagements",
                  "promoted impressions", "promoted engagements", "promoted engagement rate"]


def x_daily_activity() -> str:
    rows = [X_DAILY_HEADER]
    for day in range(1, 11):
        impressions, engagements = 1000 + 37 * day, 20 + day
        rows.append([f"2019-03-{day:02d}", str(day % 4), f"{impressions}.0", f"{engagements}.0", str(engagements / impressions),
                     "3.0", "1.0", "9.0", "2.0", "4.0", "0.0", "1.0", "0.0", "0", "0", "0", "0", "0", "5", "2", "-", "-", "-"])
    return _csv(rows, quote_all=True)


# --- YouTube -----------------------------------------------------------------------------------------


def youtube_chart_by_traffic_source() -> str:
    rows = [["Date", "Traffic source", "Views", "Watch time (hours)"]]
    for day in range(1, 5):
        for n, source in enumerate(["YouTube search", "Browse features", "External"]):
            rows.append([f"2024-03-{day:02d}", source, str(40 * (n + 1) + day), f"{1.5 * (n + 1) + day / 10:.4f}"])
    return _csv(rows)


def youtube_totals_several() -> str:
    rows = [["Date", "Views", "Watch time (hours)", "Subscribers"]]
    for day in range(1, 8):
        rows.append([f"{day:02d}-03-2024", str(300 + day), f"{12 + day / 4:.4f}", str(day % 3 - 1)])
    return _csv(rows)


def youtube_totals_mdy() -> str:
    return _csv([["Date", "Views"]] + [[f"3/{day}/2024", str(280 + day)] for day in range(1, 6)])


# --- TikTok --------------------------------------------------------------------------------------------

TIKTOK_ES = [  # (post day in Spanish, title, likes, comments, shares, views)
    ("8 de marzo", "Consejos para evitar estafas", 120, 4, 9, 5100),
    ("2 de marzo", "Día de puertas abiertas", 85, 2, 3, 2300),
    ("14 de febrero", "", 40, 0, 1, 900),
    ("31 de diciembre", "Feliz año nuevo", 300, 25, 40, 12000),
    ("1 de enero", "Primer turno del año", 61, 3, 2, 3001),
]
TIKTOK_ES_EXPORT_DAY = "10 de marzo"


def tiktok_content_spanish() -> str:
    rows = [["Time", "Video title", "Video link", "Post time", "Total likes", "Total comments", "Total shares", "Total views"]]
    for n, (day, title, likes, comments, shares, views) in enumerate(TIKTOK_ES):
        rows.append([TIKTOK_ES_EXPORT_DAY, title, f"https://www.tiktok.com/@northshirepolice/video/75{n:017d}", day,
                     str(likes), str(comments), str(shares), str(views)])
    return "\ufeff" + _csv(rows, quote_all=True).rstrip("\n")  # BOM, every value quoted, no final newline


def tiktok_business_audience() -> str:
    blocks = [
        ("Gender", ["Gender", "Percentage"], [["Female", "0.54"], ["Male", "0.44"], ["Other", "0.02"]]),
        ("Age", ["Age", "Percentage"], [["18-24", "0.21"], ["25-34", "0.38"], ["35-44", "0.22"], ["45-54", "0.12"], ["55+", "0.07"]]),
        ("Top territories", ["Country/Region", "Percentage"], [["GB", "0.93"], ["IE", "0.02"], ["US", "0.02"]]),
    ]
    return "\ufeff" + "\n".join(_csv([[title], header, *rows]) for title, header, rows in blocks)


# --- Meta Business Suite block exports -------------------------------------------------------------

AUDIENCE_BLOCKS = [
    ("Age & gender", ["Age", "Women", "Men"],
     [["18-24", "4.1", "3.2"], ["25-34", "12.6", "9.4"], ["35-44", "15.3", "11.8"], ["45-54", "13.9", "9.7"],
      ["55-64", "8.8", "6.1"], ["65+", "3.1", "2.0"]]),
    ("Top towns/cities", ["Town/city", "Value"],
     [["Northshire, England", "41.2"], ["Eastbridge, England", "12.5"], ["Kingsford, England", "8.4"],
      ["London, England", "3.9"], ["Київ, Україна", "0.4"]]),
    ("Top countries", ["Country", "Value"], [["United Kingdom", "95.3"], ["Ireland", "1.2"], ["Ukraine", "0.6"]]),
]


def mbs_audience_utf16() -> bytes:
    text = "sep=,\n" + "\n".join(_csv([[title], header, *rows], quote_all=True) for title, header, rows in AUDIENCE_BLOCKS)
    return text.encode("utf-16")


RUSSIAN_MONTHS = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


def _as_russian_excel(cell: str) -> str:
    """What Excel in a Russian locale does to `4.1`: a date, 4 January, shown `04.янв`; other
    decimals get a comma (`41,2`)."""
    if "." in cell and cell.replace(".", "").isdigit():
        day, month = cell.split(".")
        if 1 <= int(day) <= 31 and 1 <= int(month) <= 12:
            return f"{int(day):02d}.{RUSSIAN_MONTHS[int(month) - 1]}"
        return cell.replace(".", ",")
    return cell


def mbs_audience_cp1251() -> bytes:
    parts = []
    for title, header, rows in AUDIENCE_BLOCKS:
        block = [[title, ""], header + [""], *[[_as_russian_excel(c) for c in r] + [""] for r in rows]]
        parts.append(_csv(block, delimiter=";", newline="\r\n"))
    return "\r\n".join(parts).encode("cp1251")


def mbs_top_content_formats() -> str:
    blocks = [("Top content formats: Views", [["Reels", "120400"], ["Photos", "51200"], ["Videos", "9800"], ["Links", "2100"]]),
              ("Top content formats: Interactions", [["Reels", "5400"], ["Photos", "3100"], ["Videos", "410"], ["Links", "95"]])]
    return "\ufeff" + "\n".join(_csv([[title], ["Format", "Value"], *rows], quote_all=True) for title, rows in blocks)


# --- the legacy Facebook post workbook (SpreadsheetML 2003, saved as .xls) -------------------------

FB_PAGE = "118000000000001"
KEY_METRICS = ["Post ID", "Permalink", "Post Message", "Type", "Countries", "Languages", "Posted", "Audience Targeting",
               "Lifetime Post Total Reach", "Lifetime Post organic reach", "Lifetime Post Total Impressions",
               "Lifetime Engaged Users", "Lifetime Organic Video Views", "Lifetime Organic Video Views",
               "Lifetime Paid Video Views", "Lifetime Paid Video Views"]
KEY_DESCRIPTIONS = ["", "", "", "", "", "", "", "",
                    "Lifetime: The total number of people your Page post was served to. (Unique Users)",
                    "Lifetime: The number of people who saw your Page post in News Feed or ticker, or on your Page's Timeline. (Unique Users)",
                    "Lifetime: The number of impressions of your Page post. (Total Count)",
                    "Lifetime: The number of people who clicked anywhere in your posts. (Unique Users)",
                    "Lifetime: Number of unique people who viewed your video post organically. (Unique Users)",
                    "Lifetime: Number of times your video was viewed organically. (Total Count)",
                    "Lifetime: Number of unique people who viewed your video post via paid distribution. (Unique Users)",
                    "Lifetime: Number of times your video was viewed via paid distribution. (Total Count)"]
BREAKDOWN_SHEETS = {  # sheet name as Excel cuts it (31 characters) -> value columns
    "Lifetime Post Stories by action": ["like", "comment", "share"],
    "Lifetime Post Consumptions by t": ["link clicks", "other clicks", "photo view", "video play"],
    "Lifetime Talking About This(Pos": ["like", "comment", "share"],  # people, not actions: not used
}


def facebook_posts(n: int) -> list[dict]:
    """n invented posts with every figure the workbook holds; some posts have no row on a breakdown
    sheet (Facebook leaves out a post with nothing to break down)."""
    posts = []
    start = dt.datetime(2016, 1, 4, 9, 30)
    for i in range(n):
        kind = ["Photo", "Link", "Status", "Video"][i % 4]
        when = start + dt.timedelta(hours=7 * i)
        posts.append({
            "Post ID": f"{FB_PAGE}_{2000000000000000 + i}", "Permalink": f"https://www.facebook.com/NorthshirePolice/posts/{2000000000000000 + i}",
            "Post Message": f"Update {i}: roads, appeals & safety advice" + ("\nSecond line" if i % 5 == 0 else ""),
            "Type": kind, "Posted": when.strftime("%m/%d/%Y %I:%M:%S %p"), "reach": 500 + 13 * (i % 97),
            "impressions": 800 + 17 * (i % 101), "video": (30 + i % 7, 45 + i % 7) if kind == "Video" else None,
            "stories": None if i % 6 == 5 else (10 + i % 9, i % 4, i % 3),
            "clicks": None if i % 7 == 6 else ((i % 5) if kind == "Link" else 0, 3 + i % 4, (2 + i % 3) if kind == "Photo" else 0,
                                               (4 + i % 2) if kind == "Video" else 0),
            "talking": (8 + i % 5, i % 3, i % 2),
        })
    return posts


def _ss_cell(value) -> str:
    if value is None or value == "":
        return "<Cell/>"
    if isinstance(value, int):
        return f'<Cell><Data ss:Type="Number">{value}</Data></Cell>'
    if isinstance(value, dt.datetime):
        return f'<Cell ss:StyleID="date"><Data ss:Type="DateTime">{value.isoformat()}.000</Data></Cell>'
    return f'<Cell><Data ss:Type="String">{escape(str(value))}</Data></Cell>'


def _ss_sheet(name: str, rows: list[list]) -> str:
    body = "\n".join("   <Row>" + "".join(_ss_cell(v) for v in row) + "</Row>" for row in rows)
    return (f' <Worksheet ss:Name="{escape(name)}">\n  <Table>\n{body}\n  </Table>\n </Worksheet>')


def facebook_post_workbook(n: int = 8, orphan: bool = True) -> str:
    """Facebook Insights' post-level "Excel" download: SpreadsheetML 2003 XML, a Key Metrics sheet
    (header, description row, one row per post) and one sheet per breakdown, each repeating the post
    columns. `orphan` adds a breakdown row for a post that is not on Key Metrics."""
    posts = facebook_posts(n)
    ident = lambda p: [p["Post ID"], p["Permalink"], p["Post Message"], p["Type"], "", "", p["Posted"], " "]
    key = [KEY_METRICS, KEY_DESCRIPTIONS]
    for p in posts:
        video = p["video"] or ("", "")
        key.append(ident(p) + [p["reach"], p["reach"] - 20, p["impressions"], 30, video[0], video[1], 0 if p["video"] else "",
                               0 if p["video"] else ""])
    sheets = [_ss_sheet("Key Metrics", key)]
    for name, values in BREAKDOWN_SHEETS.items():
        field = {"Lifetime Post Stories by action": "stories", "Lifetime Post Consumptions by t": "clicks",
                 "Lifetime Talking About This(Pos": "talking"}[name]
        rows = [KEY_METRICS[:8] + values]
        rows += [ident(p) + list(p[field]) for p in posts if p[field] is not None]
        if orphan and field == "stories":
            rows.append([f"{FB_PAGE}_1999999999999999", "https://www.facebook.com/NorthshirePolice/posts/1999999999999999",
                         "A post from before this export", "Photo", "", "", "12/30/2015 10:00:00 AM", " ", 5, 1, 0])
        sheets.append(_ss_sheet(name, rows))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"\n'
            ' xmlns:o="urn:schemas-microsoft-com:office:office"\n'
            ' xmlns:x="urn:schemas-microsoft-com:office:excel"\n'
            ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"\n'
            ' xmlns:html="http://www.w3.org/TR/REC-html40">\n'
            ' <Styles><Style ss:ID="date"><NumberFormat ss:Format="General Date"/></Style></Styles>\n'
            + "\n".join(sheets) + "\n</Workbook>\n")


# --- LinkedIn 2020: one Mac Excel workbook holding updates and visitors ------------------------------

LINKEDIN_UPDATES = ["Update title", "Update link", "Update type", "Campaign name", "Posted by", "Created date",
                    "Campaign start date", "Campaign end date", "Audience", "Impressions", "Video views", "Clicks",
                    "Click through rate (CTR)", "Likes", "Comments", "Shares", "Follows", "Update Engagement"]


def linkedin_sheets(n_updates: int = 4) -> dict[str, list[list]]:
    """The sheets of a LinkedIn 2020 workbook: name -> rows, a description line above each header."""
    updates = [["Update metrics (aggregated) for Northshire Police, 01/01/2020 - 12/31/2020"], LINKEDIN_UPDATES]
    for i in range(n_updates):
        impressions, clicks, likes, comments, shares, follows = 900 + 31 * (i % 50), 20 + i % 9, 15 + i % 6, i % 4, i % 3, i % 2
        updates.append([f"Recruitment update {i}", f"https://www.linkedin.com/feed/update/urn:li:activity:66{i:017d}",
                        "Organic", "", "Northshire Police", (dt.date(2020, 1, 6) + dt.timedelta(days=3 * (i % 120))).strftime("%m/%d/%Y"),
                        "", "", "All followers", impressions, 0, clicks, round(clicks / impressions, 4), likes, comments, shares,
                        follows, round((clicks + likes + comments + shares + follows) / impressions, 4)])
    visitors = [["Visitor metrics for Northshire Police"], ["Date", "Page views overview (desktop)", "Page views overview (mobile)",
                "Total page views (total)", "Unique visitors overview (desktop)", "Unique visitors overview (mobile)",
                "Total unique visitors (total)"]]
    for day in range(1, 6):
        visitors.append([f"03/{day:02d}/2020", 20 + day, 30 + day, 50 + 2 * day, 10 + day, 12 + day, 22 + 2 * day])
    location = [["Visitor demographics"], ["Location", "Total views"],
                *[[town, views] for town, views in [("Northshire, United Kingdom", 310), ("Eastbridge, United Kingdom", 88),
                                                     ("London, United Kingdom", 41), ("Manchester, United Kingdom", 12)]]]
    function = [["Visitor demographics"], ["Job function", "Total views"],
                *[[f, v] for f, v in [("Community and Social Services", 120), ("Military and Protective Services", 96), ("Education", 30)]]]
    return {"Updates": updates, "Visitor metrics": visitors, "Location": location, "Job function": function}


def write_linkedin_xls(path: Path) -> bool:
    """The workbook as a binary .xls (what Mac Excel 2011 saved); False when xlwt is not installed."""
    try:
        import xlwt
    except ImportError:
        return False
    book = xlwt.Workbook()
    for name, rows in linkedin_sheets().items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.save(str(path))
    return True


TEXT_FIXTURES = {
    "x_content_late_2024.csv": x_content_early,
    "x_daily_activity_2019.csv": x_daily_activity,
    "youtube_chart_by_traffic_source.csv": youtube_chart_by_traffic_source,
    "youtube_totals_several_metrics_ddmmyyyy.csv": youtube_totals_several,
    "youtube_totals_mdy.csv": youtube_totals_mdy,
    "tiktok_studio_content_spanish.csv": tiktok_content_spanish,
    "tiktok_business_audience.csv": tiktok_business_audience,
    "mbs_audience_utf16.csv": mbs_audience_utf16,
    "mbs_audience_cp1251_semicolon.csv": mbs_audience_cp1251,
    "mbs_top_content_formats.csv": mbs_top_content_formats,
    "facebook_insights_post_workbook_2016.xls": facebook_post_workbook,
}
LINKEDIN_XLS = "linkedin_2020_mac_excel.xls"


def fixture_bytes(name: str) -> bytes:
    content = TEXT_FIXTURES[name]()
    return content if isinstance(content, bytes) else content.encode("utf-8")


def write_all(folder: Path = FIXTURES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEXT_FIXTURES:
        (folder / name).write_bytes(fixture_bytes(name))
    write_linkedin_xls(folder / LINKEDIN_XLS)


if __name__ == "__main__":
    write_all()
    print(f"wrote {len(TEXT_FIXTURES)} fixtures (and {LINKEDIN_XLS} when xlwt is installed) to {FIXTURES}")
