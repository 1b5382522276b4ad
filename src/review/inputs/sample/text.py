"""Post text: templates per theme, plain and jargon versions, links, hashtags."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from review.inputs.sample.world import _World


_THEMES = ["appeal", "missing", "prevention", "recruitment", "event", "reassurance", "road", "result", "info", "unit",
           "dogs"]
_THEME_MIX = {  # share of each theme by account profile
    "corporate": [0.20, 0.12, 0.14, 0.05, 0.06, 0.08, 0.09, 0.16, 0.10, 0.00, 0.00],
    "neighbourhood": [0.12, 0.05, 0.22, 0.00, 0.18, 0.30, 0.05, 0.08, 0.00, 0.00, 0.00],
    "roads": [0.15, 0.00, 0.10, 0.00, 0.00, 0.00, 0.60, 0.15, 0.00, 0.00, 0.00],
    "unit": [0.05, 0.00, 0.10, 0.02, 0.15, 0.15, 0.00, 0.08, 0.00, 0.45, 0.00],
    "dogs": [0.03, 0.00, 0.05, 0.02, 0.10, 0.05, 0.00, 0.05, 0.00, 0.20, 0.50],
    "prevention": [0.05, 0.00, 0.75, 0.00, 0.10, 0.00, 0.00, 0.05, 0.05, 0.00, 0.00],
    "recruitment": [0.00, 0.00, 0.00, 0.85, 0.15, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
}
# The web page a post's link points to, by theme.
_THEME_PATHS = ["ro/report", "news", "advice", "careers", "your-area", "your-area", "news", "news", "ro/report",
                "news", "news"]
# How far each theme travels (impressions) and draws people in (engagement rate).
_THEME_REACH = np.array([1.8, 3.0, 0.9, 0.8, 0.7, 0.8, 1.3, 1.4, 0.6, 1.2, 1.5])
_THEME_ENGAGE = np.array([1.3, 1.6, 0.8, 0.8, 0.9, 1.0, 1.0, 1.3, 0.6, 1.5, 2.0])

_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {  # theme: (plain, jargon)
    "appeal": (
        [
            "We're appealing for witnesses after {crime} on {street}, {place}, {day}. Did you see anything? "
            "Call 101 and quote log {log}, or report online: {url}",
            "Can you help? We want to hear from anyone who saw {crime} in {place} {day}. "
            "Dashcam or doorbell footage could help us. {url}",
            "Do you know this man? We'd like to speak to him about {crime} in {place}. Call 101, quote log {log}.",
            "Did you see what happened on {street} in {place} {day}? We want to talk to anyone who was there.",
        ],
        [
            "Officers are appealing for witnesses following a report of {crime} which occurred on {street}, "
            "{place} at approximately {jtime} on {jdate}. The suspect is described as an {jdesc}. Enquiries are "
            "ongoing and anyone with information is asked to contact police on 101 quoting log {log} of {jdate} "
            "or alternatively contact @CrimestoppersUK anonymously.",
            "Police were called at {jtime} to reports of {crime} at a residential address in {place}. Officers "
            "were in attendance and a male was conveyed to hospital with injuries not believed to be life "
            "threatening. Enquiries are ongoing. Anyone with information should call 101 quoting log {log}.",
            "Following an incident in {place} in which a vehicle failed to stop for officers, the occupants "
            "alighted and proceeded on foot. A male has been detained. Witnesses are asked to call 101 quoting log {log}.",
            "Enquiries are ongoing following {crime} in {place}. Suspect described as {jdesc}. Info to 101 log {log}.",
        ],
    ),
    "missing": (
        [
            "Have you seen {mname}? He's {age} and was last seen in {place} {day}, wearing {clothes}. "
            "If you see him, call 999 and quote log {log}.",
            "Can you help us find {fname}? She's {age} and has not been seen since {day} in {place}. "
            "Please share. If you have seen her, call 101 and quote log {log}.",
            "Update: {mname}, who was missing from {place}, has been found safe and well. Thank you for sharing.",
            "{fname} has been found. Thank you to everyone who shared our appeal.",
        ],
        [
            "Police are concerned for the welfare of missing {place} male {mname}, aged {age}, who was last seen "
            "at {jtime} on {jdate}. He is described as an {jdesc}, wearing {clothes}. Anyone who has seen him or "
            "has information as to his whereabouts is asked to contact police on 101 quoting log {log}.",
            "Update - missing female {fname} has been located safe and well. Police would like to thank members "
            "of the public for their assistance.",
            "MISSING: {fname}, {age}, from {place}. Last seen {jtime}. Concern for welfare. Call 101 log {log}.",
        ],
    ),
    "prevention": (
        [
            "Thieves are targeting {item} in {place}. Lock it, mark it and keep it out of sight. Free advice: {url}",
            "Going away? Use timer switches, cancel deliveries and ask a neighbour to keep an eye on your home. {url}",
            "Fraudsters are calling people in {place} pretending to be police officers. We will never ask for your "
            "bank details or send a courier to collect cash. Hang up and tell us: {url}",
            "Lock your car. Take your valuables with you. It only takes seconds for a thief to try the door.",
            "Your bike is easier to get back if it's marked and registered. Come to one of our free events. {url}",
        ],
        [
            "Officers have received a number of reports of {scam} in the {place} area. Members of the public are "
            "reminded to remain vigilant and not to divulge personal or financial details to unknown persons. "
            "Should you receive a suspicious call please terminate the call and report the matter to police on 101.",
            "Following a spate of thefts of {item} from outbuildings in the {place} area, residents are advised to "
            "ensure premises are adequately secured and that property is security marked.",
            "Residents are advised to ensure vehicles are secured and valuables removed following a number of "
            "thefts from vehicles in the {place} area overnight.",
        ],
    ),
    "recruitment": (
        [
            "Want a job that makes a difference? We're recruiting police officers now. Find out more and apply: {url}",
            "New police staff jobs are open: call handlers, detectives, analysts and more. Apply by Friday: {url}",
            "Meet {fname}, one of our new student officers. She joined from retail and hasn't looked back. "
            "Could you do it too? {url}",
            "Join our Special Constabulary. Give at least 16 hours a month and we'll give you full training. {url}",
        ],
        [
            "{force} Police is currently accepting applications for the role of Police Constable via the Police "
            "Constable Degree Apprenticeship (PCDA) and Degree Holder Entry Programme (DHEP) entry routes. "
            "Candidates must meet the eligibility criteria. For further information and to apply please visit {url}",
            "Applications are now open for the role of Police Community Support Officer (PCSO). Successful "
            "candidates will be deployed to neighbourhood policing teams across the force area. {url}",
        ],
    ),
    "event": (
        [
            "Come and meet your local officers at {event} at {venue}, {place}, {when}. The kettle will be on!",
            "We're at {venue} in {place} {when} for {event}. Pop along and say hello.",
            "Thank you to everyone who came to {event} in {place}. It was good to meet so many of you.",
        ],
        [
            "The {team} will be holding {event} at {venue}, {place} {when}. Officers will be in attendance to "
            "provide crime prevention advice and to discuss any issues of concern within the local community.",
        ],
    ),
    "reassurance": (
        [
            "Officers are on patrol in {place} town centre tonight. If you need us, come and talk to us.",
            "You may see more officers in {place} today. We're working to stop anti-social behaviour. "
            "There is no need to worry.",
            "Thank you to everyone who talked to us at {venue} in {place} {day}. Speeding on {street} is now one "
            "of our priorities.",
            "Quiet night in {place}. We stopped two cars and spoke to a group of young people near {venue}.",
        ],
        [
            "Officers from the {team} have been conducting high visibility patrols in the {place} area following "
            "recent reports of anti-social behaviour. A number of youths were spoken to and words of advice were "
            "given. Patrols will continue in the area.",
            "An increased police presence will be in place in {place} following an incident on {street} {day}. "
            "This is to provide reassurance to the local community. Enquiries are ongoing.",
            "Officers attended {street} at {jtime} following reports of youths causing ASB. Area searched, "
            "no trace. Patrols to continue.",
        ],
    ),
    "road": (
        [
            "The {road} is closed both ways near {place} after a crash. Please avoid the area and use another route.",
            "Slow down. Speeding was a factor in many of the serious crashes on our roads last year.",
            "The {road} near {place} has now reopened. Thank you for your patience.",
            "Don't drink and drive. One more could cost you your licence, or a life.",
        ],
        [
            "Officers are in attendance at an RTC on the {road} at {place} involving two vehicles. The carriageway "
            "is currently closed in both directions. Motorists are advised to seek alternative routes and to "
            "expect delays.",
            "Please be advised that following a serious RTC on the {road} at approximately {jtime} a male has been "
            "conveyed to hospital. Collision investigators are in attendance and road closures will be in situ "
            "for some time. Any witnesses or those with dashcam footage are asked to contact 101 quoting log {log}.",
            "{vehicle} was stopped on the {road} by officers. The driver failed a roadside breath test and was "
            "subsequently arrested on suspicion of drink driving.",
            "RTC {road} j/w {street}, {place}. Vehicle recovery en route. Expect delays.",
        ],
    ),
    "result": (
        [
            "A man from {place} has been jailed for {sentence} for {offence}. Thank you to everyone who helped.",
            "We've charged a {age}-year-old woman with {offence} after an incident in {place} {day}. "
            "She will appear at {place} Magistrates' Court next week.",
            "Two people have been arrested after a drugs raid in {place} this morning. If you have concerns about "
            "drugs where you live, tell us: {url}",
        ],
        [
            "A {age} year old male from {place} has been charged with {offence} and has been remanded in custody "
            "to appear before magistrates. This follows an incident on {street} on {jdate}.",
            "Following a warrant executed at an address in {place} this morning, a quantity of suspected class A "
            "drugs and cash were seized. Two males were arrested and remain in police custody at this time.",
        ],
    ),
    "info": (
        [
            "You can report crime that is not an emergency online, any time: {url} In an emergency, always call 999.",
            "Need us? Call 101, use our website or send us a message here. We aim to reply within an hour between "
            "8am and 8pm.",
            "Our front counter in {place} is open from 9am to 5pm, Monday to Friday.",
        ],
        [
            "Members of the public are reminded that this account is not monitored 24/7. In an emergency always "
            "dial 999. For non-emergency matters please contact police via 101 or utilise the online reporting "
            "facility available at {url}",
        ],
    ),
    "unit": (
        [
            "Our {unit} were out on patrol around {place} today. Say hello if you see us.",
            "A busy shift for our {unit}: three arrests and a stolen car found in {place}.",
            "Ever wondered what our {unit} do? Here's a day in the life, from briefing to the end of the shift.",
        ],
        [
            "The {unit} were deployed to {place} following reports of a vulnerable person. The male was located "
            "and conveyed to a place of safety.",
            "Officers from the {unit} conducted patrols of the {place} area during the hours of darkness in "
            "response to intelligence received regarding criminality in the locality.",
        ],
    ),
    "dogs": (
        [
            "{dog} had a busy night, tracking a suspect through gardens in {place} to a garden shed. Good dog!",
            "Meet {dog}, our newest police dog. Training starts next week.",
            "{dog} found a missing man in woods near {place} last night. He's now safe and warm.",
        ],
        [
            "Last night {dog} was deployed following a burglary at a commercial premises in {place}. {dog} "
            "conducted a track and located a male who was subsequently arrested on suspicion of burglary.",
            "{dog} was deployed at {jtime} to a report of a vehicle which had failed to stop. The occupants "
            "decamped from the vehicle and {dog} located one male a short distance away.",
        ],
    ),
}
_CRITICAL_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {  # stage: (plain, jargon)
    "first": (
        ["We're dealing with {ci_what} in {place}. Please avoid the area. We'll post updates here.",
         "Please stay away from {place}. We're dealing with {ci_what}. More soon."],
        ["Emergency services are currently in attendance at {ci_what} in the {place} area. Members of the public "
         "are asked to avoid the vicinity whilst the incident is dealt with. Further updates will follow in due course."],
    ),
    "update": (
        ["Update on {ci_what} in {place}: {ci_update}. Thank you for your patience.",
         "Latest from {place}: {ci_update}. Please share our updates, not rumours."],
        ["Update: Cordons remain in situ in {place} and officers remain in attendance. {ci_update}."],
    ),
    "rumour": (
        ["We've seen posts online about the incident in {place} that are not true. Please only share information "
         "from official accounts. We'll update you as soon as we can."],
        ["We are aware of speculation circulating on social media in relation to the ongoing incident in {place}. "
         "Members of the public are asked to refrain from sharing unverified information."],
    ),
    "standdown": (
        ["The incident in {place} is over and the roads have reopened. Thank you for your help and patience."],
        ["The incident in {place} has now been stood down and all cordons have been lifted. Police would like to "
         "thank the public for their co-operation."],
    ),
}  # fmt: skip

_VOCAB: dict[str, list[str]] = {
    "street": ["High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Queen Street",
               "Market Place", "Park Avenue", "School Lane", "the Parade", "Bridge Street", "North Road"],
    "road": ["A169", "A619", "A6108", "B6265", "A684", "A1079", "B1249", "A57"],
    "day": ["on Saturday", "yesterday", "on Monday evening", "last night", "this morning", "on Friday afternoon",
            "on Sunday", "on Tuesday night", "earlier today"],
    "when": ["this Saturday from 10am", "next Tuesday, 2pm to 4pm", "on Friday morning", "tomorrow from 11am",
             "on Thursday evening"],
    "jtime": ["1430hrs", "0215hrs", "2310hrs", "1705hrs", "0940hrs", "1955hrs", "0020hrs"],
    "jdate": ["04/03", "12/06", "21/09", "30/11", "17/01", "08/08", "25/04"],
    "jdesc": ["IC1 male, approximately 5'10\", of medium build", "IC1 male, slim build, aged in his 20s",
              "IC3 male, of stocky build, wearing dark clothing", "IC1 female, approx 5'4\", with long dark hair"],
    "crime": ["a burglary", "a robbery", "an assault", "criminal damage to cars", "a theft from a shop",
              "an attempted burglary", "a hit and run", "a break-in at a garage"],
    "item": ["bikes", "catalytic converters", "power tools", "quad bikes", "garden machinery", "vans", "tractors"],
    "scam": ["courier fraud", "romance scams", "fake HMRC calls", "ticket fraud", "doorstep crime"],
    "event": ["a community drop-in", "a bike marking event", "a beat surgery", "a cuppa with a copper",
              "a crime prevention stall"],
    "venue": ["the library", "the community centre", "the market square", "the leisure centre",
              "the village hall", "the supermarket"],
    "mname": ["Liam", "Jack", "Connor", "Daniel", "Tyler", "Kieran", "Harry", "Michael", "Josh"],
    "fname": ["Jodie", "Chloe", "Amy", "Emily", "Sophie", "Leah", "Megan", "Grace", "Hannah"],
    "age": [str(a) for a in (13, 14, 15, 15, 16, 17, 19, 23, 28, 34, 41, 47, 56, 68, 74, 81)],
    "clothes": ["a black coat, grey joggers and white trainers", "a blue school uniform",
                "a red hooded top and jeans", "a green parka and black boots"],
    "sentence": ["two years and four months", "18 months", "three years", "a 12-month community order", "six years"],
    "offence": ["burglary", "dangerous driving", "carrying a knife", "assault", "drug supply", "stalking"],
    "vehicle": ["A silver Ford Focus", "A black Audi A3", "A white Transit van", "A grey BMW 3 Series"],
    "dog": ["PD Max", "PD Bruno", "PD Luna", "PD Ted", "PD Nala", "PD Sherlock"],
    "ci_update": ["roads around the area remain closed", "there is no wider risk to the public",
                  "people living nearby should keep windows and doors shut", "a rest centre is open at the leisure centre",
                  "officers will stay in the area overnight", "the cordon has been made smaller"],
    "tag_appeal": ["#CanYouHelp", "#Appeal", "#Witnesses"],
    "tag_missing": ["#MissingPerson", "#Missing", "#PleaseShare"],
    "tag_prevention": ["#CrimePrevention", "#ScamAware", "#LockItOrLoseIt"],
    "tag_recruitment": ["#JoinUs", "#PoliceRecruitment", "#PoliceJobs"],
    "tag_event": ["#MeetYourTeam", "#Community", "#CuppaWithACopper"],
    "tag_reassurance": ["#Patrols", "#Neighbourhood", "#ASB"],
    "tag_road": ["#RoadSafety", "#Fatal4", "#RoadClosed"],
    "tag_result": ["#Charged", "#Jailed", "#Justice"],
    "tag_info": ["#ReportOnline", "#Emergency999", "#Call101"],
    "tag_unit": ["#OnPatrol", "#TeamWork", "#DayInTheLife"],
    "tag_dogs": ["#PoliceDogs", "#GoodDog", "#DogsOfInstagram"],
    "tag_critical": ["#StaySafe", "#RoadClosure", "#Update"],
    "national_mention": ["@CrimestoppersUK", "@ActionFraudUK", "@MissingPeople"],
}  # fmt: skip
_SHORT_LINK_CHARS = np.array(list(string.ascii_letters + string.digits))

_PLATFORM_MEDIA = {  # text, image, video, link
    "X": [0.25, 0.45, 0.12, 0.18],
    "Facebook": [0.12, 0.55, 0.13, 0.20],
    "Instagram": [0.0, 0.75, 0.25, 0.0],
    "YouTube": [0.0, 0.0, 1.0, 0.0],
    "Nextdoor": [0.45, 0.40, 0.0, 0.15],
    "LinkedIn": [0.15, 0.50, 0.10, 0.25],
    "TikTok": [0.0, 0.0, 1.0, 0.0],
    "Other": [0.30, 0.0, 0.0, 0.70],
}
# platform: impressions per follower (median), engagement rate (median),
# share of engagements as reactions, comments, shares, link clicks (0 = not reported)
_PLATFORM_METRICS = {
    "X": (0.06, 0.012, [0.55, 0.10, 0.20, 0.15]),
    "Facebook": (0.22, 0.028, [0.55, 0.15, 0.20, 0.10]),
    "Instagram": (0.18, 0.045, [0.85, 0.08, 0.07, 0.0]),
    "YouTube": (1.5, 0.05, [0.80, 0.10, 0.10, 0.0]),
    "Nextdoor": (0.25, 0.015, [0.75, 0.25, 0.0, 0.0]),
    "LinkedIn": (0.09, 0.025, [0.60, 0.08, 0.10, 0.22]),
    "TikTok": (0.8, 0.06, [0.80, 0.08, 0.12, 0.0]),
    "Other": (0.3, 0.01, [0.2, 0.3, 0.0, 0.5]),
}
_NO_REACH = {"X", "Nextdoor", "YouTube", "LinkedIn", "TikTok", "Other"}
_PLATFORMS = list(_PLATFORM_MEDIA)


def _template_fields(template: str) -> list[tuple[str, str | None]]:
    return [(lit, field) for lit, field, _, _ in string.Formatter().parse(template)]


def _fill(templates: list[str], choice: np.ndarray, slots: dict[str, np.ndarray]) -> np.ndarray:
    """Fill template `choice[i]` for each row from the per-row slot arrays, vectorised per template."""
    out = np.empty(len(choice), dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(choice == t)
        if rows.size == 0:
            continue
        acc = np.full(rows.size, "", dtype=object)
        for literal, field in _template_fields(template):
            acc = acc + literal
            if field is not None:
                acc = acc + slots[field][rows]
        out[rows] = acc
    return out


def _pick(rng: np.random.Generator, values: list[str], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), n)]


def _short_links(rng: np.random.Generator, n: int) -> np.ndarray:
    chars = _SHORT_LINK_CHARS[rng.integers(0, len(_SHORT_LINK_CHARS), (n, 6))]
    return np.strings.add("https://orlo.uk/", chars.view("U6").ravel()).astype(object)


def _text_slots(
    world: _World, acc_idx: np.ndarray, url_path: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Per-row values for every template slot; the account decides the force, place and team."""
    n = len(acc_idx)
    acc = world.acc
    slots = {k: _pick(rng, v, n) for k, v in _VOCAB.items() if not k.startswith(("tag_", "url_"))}
    force = acc["force_short"].to_numpy(object)[acc_idx]
    area = acc["area"].to_numpy(object)[acc_idx]
    force_idx = acc["force"].to_numpy()[acc_idx]
    n_areas = np.array([len(world.areas[f]) for f in range(max(world.areas) + 1)])
    width = int(n_areas.max())
    area_table = np.array([world.areas[f] + [""] * (width - len(world.areas[f])) for f in range(len(n_areas))], dtype=object)
    random_area = area_table[force_idx, (rng.random(n) * n_areas[force_idx]).astype(int)]
    slots["force"] = force
    slots["place"] = np.where(pd.isna(area), random_area, area).astype(object)  # fmt: skip
    no_area = pd.isna(area)
    area_text = np.where(no_area, "", area).astype(object)
    slots["team"] = np.where(
        no_area, acc["name"].to_numpy(object)[acc_idx], area_text + " neighbourhood team"
    ).astype(object)
    slots["unit"] = acc["unit_words"].to_numpy(object)[acc_idx]
    domain = np.strings.add(np.strings.add("https://www.", np.strings.lower(force.astype(str))), ".police.uk/")
    long_url = np.strings.add(domain, url_path.astype(str)).astype(object)
    slots["url"] = np.where(rng.random(n) < 0.45, _short_links(rng, n), long_url)
    local = np.array(["Fire", "Council", "PCC", "Roads"], dtype=object)[rng.integers(0, 4, n)]
    slots["mention"] = np.where(
        rng.random(n) < 0.6, "@" + force + local, _pick(rng, _VOCAB["national_mention"], n)
    ).astype(object)
    slots["log"] = np.char.zfill(rng.integers(1, 2400, n).astype(str), 4).astype(object)
    return slots


def _hashtags(rng, theme_names: np.ndarray, force: np.ndarray, lower_share: np.ndarray, platform: np.ndarray):
    """0-3 hashtags per post, some in lower case (harder for screen readers), on a new line sometimes."""
    n = len(theme_names)
    tags = np.full(n, "", dtype=object)
    count = rng.choice(4, size=n, p=[0.3, 0.42, 0.23, 0.05])
    first = rng.integers(0, 3, n)  # each list has three tags: take them in turn, never twice
    for k in range(3):
        has = count > k
        pick = np.empty(n, dtype=object)
        for theme in np.unique(theme_names):
            rows = theme_names == theme
            options = np.array(_VOCAB[f"tag_{theme}"], dtype=object)
            pick[rows] = options[(first[rows] + k) % len(options)]
        if k == 0:  # the force tag sometimes takes the first place
            pick = np.where(rng.random(n) < 0.25, "#" + force, pick)
        lower = rng.random(n) < lower_share
        pick = np.where(lower, np.char.lower(pick.astype(str)).astype(object), pick)
        tags = np.where(has, tags + " " + pick, tags)
    newline = np.isin(platform, ["Facebook", "Instagram"]) & (rng.random(n) < 0.3)
    return np.where(newline & (count > 0), "\n\n" + np.char.strip(tags.astype(str)).astype(object), tags)
