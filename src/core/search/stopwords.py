"""Stop words for the languages the search index normalises: en, fr, de, es.

The lists are short on purpose (articles, pronouns, auxiliaries, prepositions, conjunctions):
they remove the words that would otherwise fill every article's top-K terms, while keeping
words that can carry meaning in a query. They are written naturally here and folded with the
same function as the text (lower case, accents stripped), so ``à`` and ``a`` are one entry.
"""

from __future__ import annotations

_EN = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves also may might must shall
"""

_FR = """
a à afin ai aie aient aies ait as au aucun aussi autre aux avaient avais avait avec avez aviez
avoir avons ayant ce ceci cela celle celles celui ces cet cette ceux chaque comme d dans de des
du elle elles en es est et était étaient étais étant été être eu eux fait il ils j je l la le
les leur leurs lui m ma mais me même mes moi mon n ne ni nos notre nous on ont or ou où par pas
peu peut plus pour qu quand que quel quelle quelles quels qui s sa sans se sera sera seront ses
si son sont sous sur t ta te tes toi ton tous tout toute toutes très tu un une vos votre vous y
c ces cet ça lors dont depuis entre alors donc car
"""

_DE = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei bin bis bist da damit dann das dass dein deine dem den denn der des dich die
dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
er es etwas euch euer eure für gegen gewesen hab habe haben hat hatte hatten hier hin hinter
ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder
jedes jetzt kann kein keine keinem keinen keiner können man manche mein meine mich mir mit muss
nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner sich sie sind
so solche soll sondern sonst über um und uns unser unsere unter viel vom von vor war waren
warst was weil welche welchem welchen welcher welches wenn wer werde werden wie wieder will wir
wird wirst wo wollen würde würden zu zum zur zwar zwischen
"""

_ES = """
a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e
el él ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta está
estaba estaban estado estamos están estar este esto estos fue fueron fui ha habéis haber había
han has hasta hay la las le les lo los más me mi mí mis mucho muy nada ni no nos nosotros o os
otra otras otro otros para pero poco por porque que qué quien quienes se sea ser si sí siendo
sin sobre son su sus también tanto te tenemos tener tengo ti tiene tienen todo todos tu tú tus
un una uno unos vosotros y ya yo
"""

RAW_STOP_WORDS: dict[str, str] = {"en": _EN, "fr": _FR, "de": _DE, "es": _ES}
