"""French reasons for operating-system errors, and the sentence of a failed save.

``OSError.strerror`` follows the C locale, English on most machines: every message that
reaches a user (reading, saving, the command line, the report) takes its reason here.
Standard library only: the command line imports it at start-up.
"""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EEXIST: "un fichier porte déjà ce nom",
    errno.ELOOP: "trop de liens symboliques imbriqués : un lien renvoie sans fin vers lui-même",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom ou chemin de fichier trop long",
    errno.EIO: "erreur d'entrée-sortie du disque ou du réseau",
    errno.ENXIO: "périphérique absent",
    errno.ENODEV: "périphérique absent",
    errno.EBUSY: "fichier occupé (ouvert dans un autre programme ?)",
    errno.EINVAL: "nom de fichier invalide",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENFILE: "trop de fichiers ouverts",
    errno.ETIMEDOUT: "le dossier réseau ne répond pas",
    errno.ESTALE: "le dossier réseau n'est plus accessible",
}


class WriteError(OSError):
    """Saving failed; the previous file, if any, is untouched. The message is French."""


def os_reason(exc: OSError) -> str:
    """The French reason of ``exc``, never the C library's English."""
    if isinstance(exc, PermissionError):
        return "accès refusé"
    reason = _REASONS.get(exc.errno or -1)
    if reason is not None:
        return reason
    return f"erreur du système n° {exc.errno}" if exc.errno else "erreur d'accès au fichier"


_INTACT = " Le fichier précédent est intact."
# What to do when a save fails, by errno (checked in this order).
_SAVE_ADVICE = (
    ((errno.ENOSPC, getattr(errno, "EDQUOT", -1)),
     "le disque est plein. Libérez de la place ou choisissez un autre dossier."),
    ((errno.EROFS,),
     "le disque ou le dossier est en lecture seule (clé USB protégée, partage en lecture "
     "seule). Choisissez un autre dossier avec « Enregistrer sous… »." + _INTACT),
    ((errno.ENAMETOOLONG,),
     "le nom ou le chemin du fichier est trop long. Choisissez un nom plus court ou un "
     "dossier moins profond."),
    ((errno.EBUSY, getattr(errno, "ETXTBSY", -1)),
     "le fichier est utilisé par un autre programme. Fermez-le puis enregistrez de "
     "nouveau." + _INTACT),
    ((errno.EFBIG,),
     "le fichier dépasse la taille permise sur ce disque ou par votre quota. Libérez de la "
     "place ou enregistrez ailleurs avec « Enregistrer sous… »." + _INTACT),
    ((errno.EIO,),
     "erreur d'entrée-sortie du disque (support retiré, réseau coupé ?). Vérifiez le "
     "disque ou enregistrez ailleurs." + _INTACT),
)


def write_error(name: str, folder, exc: BaseException) -> WriteError:
    """The French sentence of a failed save of « name » into ``folder``: what happened,
    what to do, and that the previous file is intact."""
    if isinstance(exc, WriteError):
        return exc
    code = getattr(exc, "errno", None)
    advice = next((text for codes, text in _SAVE_ADVICE if code in codes), None)
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        advice = ("accès refusé. Le dossier est peut-être protégé en écriture, ou le fichier "
                  "est ouvert dans Excel ou LibreOffice : fermez-le ou enregistrez sous un "
                  "autre nom.")
    elif advice is None and isinstance(exc, FileNotFoundError):
        advice = (f"le dossier « {folder} » n'existe pas ou n'est plus accessible. "
                  "Choisissez un dossier existant.")
    elif advice is None and isinstance(exc, OSError):
        advice = (f"{os_reason(exc)}. Réessayez, ou enregistrez ailleurs avec « Enregistrer "
                  "sous… »." + _INTACT)
    elif advice is None:
        advice = f"erreur inattendue ({type(exc).__name__} : {exc})." + _INTACT
    err = WriteError(f"Impossible d'enregistrer « {name} » : {advice}")
    err.errno = code
    return err
