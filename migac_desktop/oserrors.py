"""French reasons for operating-system errors.

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


def os_reason(exc: OSError) -> str:
    """The French reason of ``exc``, never the C library's English."""
    if isinstance(exc, PermissionError):
        return "accès refusé"
    reason = _REASONS.get(exc.errno or -1)
    if reason is not None:
        return reason
    return f"erreur du système n° {exc.errno}" if exc.errno else "erreur d'accès au fichier"
