"""A small multilingual corpus (en, fr, de, es) for the search contract tests."""

from __future__ import annotations

from core.models import Article, ArticleStatus


def _article(
    key: str,
    *,
    language: str,
    host: str,
    site: str,
    date: str | None,
    title: str,
    text: str | None,
) -> Article:
    return Article(
        id=f"{key:0>8}",
        url=f"https://{host}/{key}",
        status=ArticleStatus.EXTRACTED,
        title=title,
        date=date,
        sitename=site,
        hostname=host,
        language=language,
        text=text,
    )


CORPUS: list[Article] = [
    _article(
        "en-heat",
        language="en",
        host="news.example.com",
        site="Example News",
        date="2024-07-18",
        title="Heat wave breaks temperature records across Europe",
        text=(
            "A heat wave swept across southern Europe this week.\n"
            "Temperatures passed 40 degrees in Madrid and Seville, and Paris recorded its hottest"
            " July night. Meteorologists say the heat wave will last until Sunday, and hospitals"
            " have opened cooling rooms for older residents."
        ),
    ),
    _article(
        "en-bike",
        language="en",
        host="city.example.org",
        site="City Desk",
        date="2023-05-02",
        title="New bicycle lanes open in London",
        text=(
            "London opened twelve kilometres of protected bicycle lanes on Monday.\n"
            "Cyclists welcomed the lanes, which separate bicycles from buses and taxis. The city"
            " plans more lanes next year if the number of cyclists keeps growing."
        ),
    ),
    _article(
        "en-press",
        language="en",
        host="history.example.net",
        site="History Today Example",
        date="2022-11-30",
        title="How the printing press changed Europe",
        text=(
            "Johannes Gutenberg built his printing press in Mainz around 1450.\n"
            "Movable type made books cheaper, and printed pamphlets spread new ideas across"
            " Europe within a few decades."
        ),
    ),
    _article(
        "fr-canicule",
        language="fr",
        host="actu.example.fr",
        site="Actu Exemple",
        date="2024-07-19",
        title="La canicule bat des records de température en France",
        text=(
            "L'épisode de canicule a fait grimper les températures au-delà de 40 degrés.\n"
            "À Paris, la nuit a été la plus chaude jamais mesurée en juillet. Météo-France"
            " prévoit que la canicule durera jusqu'à dimanche."
        ),
    ),
    _article(
        "fr-eco",
        language="fr",
        host="eco.example.fr",
        site="Éco Exemple",
        date="2024-02-10",
        title="L'économie française ralentit",
        text=(
            "La croissance de l'économie française a ralenti au dernier trimestre.\n"
            "Les économistes citent la hausse des taux d'intérêt et la baisse de la consommation"
            " des ménages."
        ),
    ),
    _article(
        "fr-velo",
        language="fr",
        host="actu.example.fr",
        site="Actu Exemple",
        date="2023-09-14",
        title="Paris ouvre de nouvelles pistes cyclables",
        text=(
            "La ville de Paris a inauguré quinze kilomètres de pistes cyclables.\n"
            "Les cyclistes saluent ces pistes qui séparent les vélos des voitures."
        ),
    ),
    _article(
        "de-hitze",
        language="de",
        host="nachrichten.example.de",
        site="Nachrichten Beispiel",
        date="2024-07-20",
        title="Hitzewelle: Rekordtemperaturen in Deutschland",
        text=(
            "Die Hitzewelle hat Deutschland erreicht. In Berlin wurden 38 Grad gemessen, und die"
            " Temperaturen steigen weiter.\nÄrzte raten, in der Mittagshitze drinnen zu bleiben."
        ),
    ),
    _article(
        "de-druck",
        language="de",
        host="geschichte.example.de",
        site="Geschichte Beispiel",
        date="2021-03-03",
        title="Gutenberg und der Buchdruck",
        text=(
            "Johannes Gutenberg erfand in Mainz den Buchdruck mit beweglichen Lettern.\n"
            "Die Druckerpresse veränderte die Verbreitung von Wissen in ganz Europa."
        ),
    ),
    _article(
        "es-calor",
        language="es",
        host="noticias.example.es",
        site="Noticias Ejemplo",
        date="2024-07-17",
        title="Ola de calor en España",
        text=(
            "Una ola de calor elevó las temperaturas por encima de 40 grados en Madrid y Sevilla.\n"
            "Las autoridades piden beber agua y evitar el sol en las horas centrales del día."
        ),
    ),
    _article(
        "es-eco",
        language="es",
        host="noticias.example.es",
        site="Noticias Ejemplo",
        date=None,
        title="La economía española crece más de lo previsto",
        text=(
            "La economía española creció un dos por ciento, impulsada por el turismo y el empleo.\n"
            "El Banco de España mejoró su previsión de crecimiento para el próximo año."
        ),
    ),
    _article(
        "en-empty",
        language="en",
        host="news.example.com",
        site="Example News",
        date="2024-07-21",
        title="Heat wave live updates",
        text=None,  # no text: never indexed
    ),
]

BY_KEY = {article.url.rsplit("/", 1)[1]: article for article in CORPUS}


def aid(key: str) -> str:
    """The id of the corpus article ``key``."""
    return BY_KEY[key].id
